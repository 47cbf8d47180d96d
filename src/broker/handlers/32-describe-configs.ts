/**
 * DescribeConfigs (key 32), versions 0-4.
 * - TOPIC: every topic config with its effective value and where it comes
 *   from (topic override, dynamic cluster-wide broker default, static broker
 *   config, Kafka's default); UNKNOWN_TOPIC_OR_PARTITION for unknown topics.
 * - BROKER "1" (this node): every broker config; "": only the dynamic
 *   cluster-wide defaults; any other id is INVALID_REQUEST. Dynamic broker
 *   configs are kept cluster-wide (one node), so they report
 *   DYNAMIC_DEFAULT_BROKER_CONFIG. Unknown broker config names are reported
 *   as Kafka does: sensitive, value hidden, type UNKNOWN.
 * - BROKER_LOGGER "1": the root logger's level (log4j names).
 * - ConfigurationKeys null or empty means all; unknown keys are left out.
 * - v1+: synonyms when asked, in Kafka's order: the topic override, then the
 *   broker synonym as dynamic default, static and default value.
 * - v0: IsDefault instead of ConfigSource. v3+: ConfigType, and the
 *   documentation when asked.
 * - A resource type Kafka does not know fails every resource with
 *   INVALID_REQUEST, as Kafka fails the whole request.
 * - Authorization (when on): DESCRIBE_CONFIGS on the topic, the group or (for
 *   broker, logger and client-metrics resources) the cluster, else
 *   TOPIC_/GROUP_/CLUSTER_AUTHORIZATION_FAILED for that resource.
 */
import { join, resolve } from 'node:path';
import {
  type DescribeConfigsResponseDescribeConfigsResourceResult as ConfigOut,
  ErrorCode,
  errorInfo,
  type Input,
  KafkaError,
  type DescribeConfigsResponseDescribeConfigsResult as ResultOut,
  type DescribeConfigsResponseDescribeConfigsSynonym as SynonymOut,
  toKafkaError,
} from '../../protocol/index.ts';
import { type Broker, validateTopicName } from '../broker.ts';
import {
  BROKER_CONFIGS,
  brokerConfigDef,
  type ConfigDef,
  ConfigSource,
  ConfigType,
  configTypeOf,
  ConfigResourceType as RT,
  TOPIC_CONFIGS,
} from '../configs.ts';
import { defineHandler } from '../handler.ts';
import { AclOperation } from '../security/acls.ts';
import { authorizeConfigResource } from '../security/authorizer.ts';

const KNOWN_TYPES = new Set<number>([RT.TOPIC, RT.BROKER, RT.BROKER_LOGGER, RT.CLIENT_METRICS, RT.GROUP]);

const LOG4J_LEVEL: Record<string, string> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  fatal: 'FATAL',
  silent: 'OFF',
};

/** The broker's root log level with log4j's name. */
export function rootLogLevel(broker: Broker): string {
  return LOG4J_LEVEL[broker.logger.level] ?? broker.logger.level.toUpperCase();
}

/** Static broker configs, plus the ones the broker is started with rather than configured by name. */
export function staticBrokerConfigs(broker: Broker): Record<string, string> {
  return {
    ...broker.staticConfigs,
    'node.id': String(broker.nodeId),
    'broker.id': String(broker.nodeId),
    'log.dirs': resolve(join(broker.dataDir, 'logs')),
  };
}

/** Parses a broker resource name; Kafka answers INVALID_REQUEST for anything but an integer. */
export function brokerIdOf(name: string, what = 'Broker id'): number {
  if (!/^-?\d+$/.test(name))
    throw new KafkaError(ErrorCode.INVALID_REQUEST, `${what} must be an integer, but it is: ${name}`);
  return Number(name);
}

interface Synonym {
  name: string;
  value: string;
  source: number;
}

/** Where a broker config's value can come from, highest precedence first. */
function brokerChain(broker: Broker, name: string, def: ConfigDef | undefined): Synonym[] {
  const out: Synonym[] = [];
  const dynamic = broker.metadata.brokerConfigs[name];
  if (dynamic !== undefined) out.push({ name, value: dynamic, source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG });
  const fixed = staticBrokerConfigs(broker)[name];
  if (fixed !== undefined) out.push({ name, value: fixed, source: ConfigSource.STATIC_BROKER_CONFIG });
  if (def) out.push({ name, value: def.default, source: ConfigSource.DEFAULT_CONFIG });
  return out;
}

/** Kafka marks every config it cannot change at runtime read-only, unknown ones included. */
const readOnlyOf = (def: ConfigDef | undefined): boolean => def?.readOnly === true || def === undefined;

interface Options {
  synonyms: boolean;
  docs: boolean;
}

function entry(
  o: Options,
  name: string,
  def: ConfigDef | undefined,
  chain: Synonym[],
  readOnly: boolean,
  isDefault: boolean,
): Input<ConfigOut> {
  // Kafka treats a config of unknown type as possibly a password.
  const sensitive = def === undefined;
  const shown = (v: string | undefined): string | null => (sensitive || v === undefined ? null : v);
  const source = chain[0]?.source ?? ConfigSource.DEFAULT_CONFIG;
  return {
    name,
    value: shown(chain[0]?.value ?? def?.default),
    readOnly,
    isDefault,
    configSource: source,
    isSensitive: sensitive,
    synonyms: o.synonyms ? chain.map((s): Input<SynonymOut> => ({ ...s, value: shown(s.value) })) : [],
    configType: def ? configTypeOf(def) : ConfigType.UNKNOWN,
    documentation: o.docs ? (def?.doc ?? null) : null,
  };
}

function describeTopic(broker: Broker, name: string, o: Options): Input<ConfigOut>[] {
  validateTopicName(name);
  const topic = broker.metadata.topicsByName.get(name);
  if (!topic) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  return TOPIC_CONFIGS.map((def) => {
    const chain: Synonym[] = [];
    const override = topic.configs[def.name];
    if (override !== undefined) chain.push({ name: def.name, value: override, source: ConfigSource.TOPIC_CONFIG });
    if (def.brokerSynonym) chain.push(...brokerChain(broker, def.brokerSynonym, brokerConfigDef(def.brokerSynonym)));
    return entry(o, def.name, def, chain, false, override === undefined);
  });
}

function describeBroker(broker: Broker, name: string, o: Options): Input<ConfigOut>[] {
  if (name === '') {
    // cluster-wide defaults: only what is set dynamically, with only that synonym
    return Object.keys(broker.metadata.brokerConfigs).map((key) => {
      const def = brokerConfigDef(key);
      const chain = brokerChain(broker, key, def).filter(
        (s) => s.source === ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
      );
      return entry(o, key, def, chain, readOnlyOf(def), false);
    });
  }
  if (brokerIdOf(name) !== broker.nodeId) {
    throw new KafkaError(
      ErrorCode.INVALID_REQUEST,
      `Unexpected broker id, expected ${broker.nodeId} or empty string, but received ${name}`,
    );
  }
  const known = new Set(BROKER_CONFIGS.map((d) => d.name));
  const extra = [...Object.keys(staticBrokerConfigs(broker)), ...Object.keys(broker.metadata.brokerConfigs)]
    .filter((k) => !known.has(k))
    .sort();
  return [...BROKER_CONFIGS.map((d) => d.name), ...new Set(extra)].map((key) => {
    const def = brokerConfigDef(key);
    const chain = brokerChain(broker, key, def);
    const source = chain[0]?.source ?? ConfigSource.DEFAULT_CONFIG;
    return entry(o, key, def, chain, readOnlyOf(def), source === ConfigSource.DEFAULT_CONFIG);
  });
}

function describeLoggers(broker: Broker, name: string): Input<ConfigOut>[] {
  if (name === '') throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Broker id must not be empty');
  if (brokerIdOf(name) !== broker.nodeId) {
    throw new KafkaError(
      ErrorCode.INVALID_REQUEST,
      `Unexpected broker id, expected ${broker.nodeId} but received ${name}`,
    );
  }
  return [
    {
      name: 'root',
      value: rootLogLevel(broker),
      readOnly: false,
      isDefault: false,
      configSource: ConfigSource.DYNAMIC_BROKER_LOGGER_CONFIG,
      isSensitive: false,
      synonyms: [],
      configType: ConfigType.UNKNOWN,
      documentation: null,
    },
  ];
}

export default defineHandler({
  key: 32,
  minVersion: 0,
  maxVersion: 4,
  handle(ctx, req) {
    const { broker } = ctx;
    const o: Options = { synonyms: req.includeSynonyms, docs: req.includeDocumentation };
    const bad = req.resources.find((r) => !KNOWN_TYPES.has(r.resourceType));
    if (bad) {
      const errorMessage = `Unexpected resource type ${bad.resourceType} for resource ${bad.resourceName}`;
      const results = req.resources.map((r) => ({
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage,
        resourceType: r.resourceType,
        resourceName: r.resourceName,
        configs: [],
      }));
      return { throttleTimeMs: 0, results };
    }
    const results: Input<ResultOut>[] = req.resources.map((r) => {
      const out = { resourceType: r.resourceType, resourceName: r.resourceName };
      try {
        const denied = authorizeConfigResource(ctx, AclOperation.DESCRIBE_CONFIGS, r.resourceType, r.resourceName);
        if (denied !== ErrorCode.NONE) throw new KafkaError(denied, errorInfo(denied).message);
        let configs: Input<ConfigOut>[];
        switch (r.resourceType) {
          case RT.TOPIC:
            configs = describeTopic(broker, r.resourceName, o);
            break;
          case RT.BROKER:
            configs = describeBroker(broker, r.resourceName, o);
            break;
          case RT.BROKER_LOGGER:
            configs = describeLoggers(broker, r.resourceName);
            break;
          case RT.CLIENT_METRICS:
            // no client metrics subscriptions are configured here
            if (r.resourceName === '') {
              throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Client metrics subscription name must not be empty');
            }
            configs = [];
            break;
          default:
            throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Group configs are not supported by this broker');
        }
        const keys = r.configurationKeys;
        if (keys !== null && keys.length > 0) configs = configs.filter((c) => keys.includes(c.name as string));
        return { ...out, errorCode: ErrorCode.NONE, errorMessage: null, configs };
      } catch (err) {
        const e = toKafkaError(err);
        return { ...out, errorCode: e.code, errorMessage: e.errorMessage, configs: [] };
      }
    });
    return { throttleTimeMs: 0, results };
  },
});
