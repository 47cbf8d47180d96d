/**
 * IncrementalAlterConfigs (key 44), versions 0-1.
 * - Operations per key: SET (0), DELETE (1), APPEND (2) and SUBTRACT (3);
 *   APPEND/SUBTRACT work on list configs only (INVALID_CONFIG otherwise) and
 *   start from the default when the key is not set.
 * - TOPIC and BROKER resources are checked and applied as in AlterConfigs
 *   (33-alter-configs.ts): all of a resource's operations or none.
 * - BROKER_LOGGER "1": SET the level of the root logger, the only one here
 *   (log4j names; deleting it is refused, unknown loggers are INVALID_CONFIG);
 *   levels are not persisted, as in Kafka.
 * - A resource named twice, a key named twice in one resource, a null value
 *   for anything but DELETE, or an unknown operation is INVALID_REQUEST.
 * - validateOnly checks everything and changes nothing.
 * - Authorization (when on, after the request checks): ALTER_CONFIGS on the
 *   topic or (broker, logger) the cluster, else
 *   TOPIC_/CLUSTER_AUTHORIZATION_FAILED.
 */
import {
  ErrorCode,
  errorInfo,
  type Input,
  KafkaError,
  type IncrementalAlterConfigsRequestAlterableConfig as OpIn,
  type IncrementalAlterConfigsResponseAlterConfigsResourceResponse as ResultOut,
  toKafkaError,
} from '../../protocol/index.ts';
import type { Broker } from '../broker.ts';
import { brokerConfigDef, ConfigResourceType as RT, topicConfigDef } from '../configs.ts';
import { defineHandler } from '../handler.ts';
import { AclOperation } from '../security/acls.ts';
import { authorizeConfigResource } from '../security/authorizer.ts';
import { brokerIdOf } from './32-describe-configs.ts';
import { alterResource, checkDuplicateKeys, duplicateResources } from './33-alter-configs.ts';

const SET = 0;
const DELETE = 1;
const APPEND = 2;
const SUBTRACT = 3;
const OP_NAMES = ['SET', 'DELETE', 'APPEND', 'SUBTRACT'];

const PINO_LEVEL: Record<string, string> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
  FATAL: 'fatal',
};

function applyOps(
  type: number,
  current: Readonly<Record<string, string>>,
  ops: readonly OpIn[],
): Record<string, string> {
  const next: Record<string, string> = { ...current };
  for (const op of ops) {
    switch (op.configOperation) {
      case SET:
        next[op.name] = op.value as string;
        break;
      case DELETE:
        delete next[op.name];
        break;
      case APPEND:
      case SUBTRACT: {
        const def = type === RT.TOPIC ? topicConfigDef(op.name) : brokerConfigDef(op.name);
        const verb = OP_NAMES[op.configOperation];
        // Kafka words this differently for topics (controller) and brokers (broker-side check)
        if (type === RT.TOPIC && def?.kind !== 'list') {
          throw new KafkaError(
            ErrorCode.INVALID_CONFIG,
            `Can't ${verb} to key ${op.name} because its type is not LIST.`,
          );
        }
        if (!def) throw new KafkaError(ErrorCode.INVALID_CONFIG, `Unknown config name: ${op.name}`);
        if (def.kind !== 'list') {
          throw new KafkaError(
            ErrorCode.INVALID_CONFIG,
            `Config value ${verb.toLowerCase()} is not allowed for config key: ${op.name}`,
          );
        }
        const items = (next[op.name] ?? def.default).split(',').filter((s) => s !== '');
        const given = (op.value as string).split(',');
        const result =
          op.configOperation === APPEND
            ? [...items, ...given.filter((v, i) => !items.includes(v) && given.indexOf(v) === i)]
            : items.filter((v) => !given.includes(v));
        next[op.name] = result.join(',');
        break;
      }
      default:
        throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unknown operations type ${op.configOperation}`);
    }
  }
  return next;
}

function alterLoggers(broker: Broker, name: string, ops: readonly OpIn[], validateOnly: boolean): void {
  if (brokerIdOf(name, 'Node id') !== broker.nodeId) {
    throw new KafkaError(
      ErrorCode.INVALID_REQUEST,
      `Unexpected node id. Expected ${broker.nodeId}, but received ${name}`,
    );
  }
  let level: string | undefined;
  for (const op of ops) {
    if (op.configOperation === APPEND || op.configOperation === SUBTRACT) {
      throw new KafkaError(
        ErrorCode.INVALID_REQUEST,
        `${OP_NAMES[op.configOperation]} operation is not allowed for the BROKER_LOGGER resource`,
      );
    }
    if (op.configOperation !== SET && op.configOperation !== DELETE) {
      throw new KafkaError(
        ErrorCode.INVALID_REQUEST,
        `Unknown operation type ${op.configOperation} is not allowed for the BROKER_LOGGER resource`,
      );
    }
    // only the root logger exists here
    if (op.name !== 'root') throw new KafkaError(ErrorCode.INVALID_CONFIG, `Logger ${op.name} does not exist!`);
    if (op.configOperation === DELETE) {
      throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Removing the log level of the root logger is not allowed');
    }
    level = PINO_LEVEL[op.value as string];
    if (!level) {
      throw new KafkaError(
        ErrorCode.INVALID_CONFIG,
        `Cannot set the log level of ${op.name} to ${op.value} as it is not a supported log level. Valid log levels are ${Object.keys(PINO_LEVEL).sort().join(', ')}`,
      );
    }
  }
  if (!validateOnly && level) {
    broker.logger.level = level;
    broker.logger.warn({ level }, 'updated the log level of root');
  }
}

export default defineHandler({
  key: 44,
  minVersion: 0,
  maxVersion: 1,
  handle(ctx, req) {
    const { broker } = ctx;
    const dups = duplicateResources(req.resources);
    const responses: Input<ResultOut>[] = req.resources.map((r) => {
      const out = { resourceType: r.resourceType, resourceName: r.resourceName };
      try {
        if (dups.has(r)) throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Each resource must appear at most once.');
        checkDuplicateKeys(r.configs.map((c) => c.name));
        const nulls = r.configs.filter((c) => c.configOperation !== DELETE && c.value === null).map((c) => c.name);
        if (nulls.length > 0) {
          throw new KafkaError(ErrorCode.INVALID_REQUEST, `Null value not supported for : ${nulls.join(', ')}`);
        }
        const served =
          r.resourceType === RT.TOPIC || r.resourceType === RT.BROKER || r.resourceType === RT.BROKER_LOGGER;
        const denied = served
          ? authorizeConfigResource(ctx, AclOperation.ALTER_CONFIGS, r.resourceType, r.resourceName)
          : ErrorCode.NONE;
        if (denied !== ErrorCode.NONE) throw new KafkaError(denied, errorInfo(denied).message);
        switch (r.resourceType) {
          case RT.BROKER_LOGGER:
            alterLoggers(broker, r.resourceName, r.configs, req.validateOnly);
            break;
          case RT.TOPIC:
          case RT.BROKER:
            alterResource(
              broker,
              r.resourceType,
              r.resourceName,
              (current) => applyOps(r.resourceType, current, r.configs),
              req.validateOnly,
            );
            break;
          case RT.GROUP:
          case RT.CLIENT_METRICS:
            throw new KafkaError(
              ErrorCode.INVALID_REQUEST,
              `Resource type ${r.resourceType} is not supported by this broker`,
            );
          default:
            throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unknown resource type ${r.resourceType}`);
        }
        return { ...out, errorCode: ErrorCode.NONE, errorMessage: null };
      } catch (err) {
        const e = toKafkaError(err);
        return { ...out, errorCode: e.code, errorMessage: e.errorMessage };
      }
    });
    return { throttleTimeMs: 0, responses };
  },
});
