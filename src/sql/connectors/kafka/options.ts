/**
 * Options shared by `kafka` and `upsert-kafka` (Flink's names and checks): topic, bootstrap servers,
 * key/value formats and which physical columns each carries, startup and bounded modes, metadata columns.
 */
import {
  type Format,
  type FormatContext,
  formatIds,
  formatOptionKeys,
  formatOptionsOf,
  getFormat,
} from '../../formats/index.ts';
import type { Field } from '../../runtime/changelog.ts';
import { T } from '../../types/index.ts';
import { type ConnectorEnv, ConnectorOptionError, type TableInfo } from '../connector.ts';

/** Kafka metadata keys (Flink's KafkaDynamicSource/Sink ReadableMetadata/WritableMetadata). */
export const KAFKA_METADATA = {
  topic: { type: T.string(false), writable: false },
  partition: { type: T.int(false), writable: false },
  headers: { type: T.map(T.string(), T.bytes(), false), writable: true },
  'leader-epoch': { type: T.int(), writable: false },
  offset: { type: T.bigint(false), writable: false },
  timestamp: { type: T.timestampLtz(3, false), writable: true },
  'timestamp-type': { type: T.string(false), writable: false },
} as const;

export const COMMON_OPTIONS = [
  'topic',
  'key.format',
  'key.fields-prefix',
  'value.format',
  'value.fields-include',
  'scan.bounded.mode',
  'scan.bounded.specific-offsets',
  'scan.bounded.timestamp-millis',
  'scan.watermark.idle-timeout',
  'scan.parallelism',
  'sink.parallelism',
  'sink.delivery-guarantee',
  'sink.transactional-id-prefix',
] as const;

/** The option keys of the formats a table names (`json.*` for format = json, `key.raw.*`, `value.json.*`). */
export function kafkaFormatOptions(o: Record<string, string>): string[] {
  return [
    ...formatOptionKeys(o.format, '', o),
    ...formatOptionKeys(o['key.format'], 'key.', o),
    ...formatOptionKeys(o['value.format'], 'value.', o),
  ];
}

export type StartupMode = 'earliest-offset' | 'latest-offset' | 'group-offsets' | 'timestamp' | 'specific-offsets';
export type BoundedMode = 'unbounded' | 'latest-offset' | 'group-offsets' | 'timestamp' | 'specific-offsets';

/** A table's Kafka settings, resolved and checked. */
export interface KafkaSettings {
  topics: string[];
  bootstrap: string;
  properties: Record<string, string>;
  keyFormat: Format | null;
  valueFormat: Format;
  /** Physical column index of each key format field. */
  keyFields: number[];
  /** Physical column index of each value format field. */
  valueFields: number[];
  startup: StartupMode;
  startupOffsets: Map<number, bigint>;
  startupTimestamp: number;
  bounded: BoundedMode;
  boundedOffsets: Map<number, bigint>;
  boundedTimestamp: number;
  /** `sink.delivery-guarantee` (or the older `sink.semantic`). */
  deliveryGuarantee: 'exactly-once' | 'at-least-once' | 'none';
}

function parseSpecificOffsets(text: string, key: string): Map<number, bigint> {
  const out = new Map<number, bigint>();
  for (const part of text.split(';')) {
    const m = /^\s*partition:(\d+),offset:(\d+)\s*$/.exec(part);
    if (!m)
      throw new ConnectorOptionError(
        `Invalid properties '${key}' should follow the format 'partition:0,offset:42;partition:1,offset:300', but is '${text}'.`,
      );
    out.set(Number(m[1]), BigInt(m[2]!));
  }
  return out;
}

function formatFor(
  id: string,
  fields: Field[],
  options: Record<string, string>,
  prefix: string,
  ctx: FormatContext,
): Format {
  const f = getFormat(id);
  if (!f)
    throw new ConnectorOptionError(
      `Could not find any format factory for identifier '${id}' in the classpath. Available format identifiers are: ${formatIds().join(', ')}`,
    );
  return f.create(fields, formatOptionsOf(options, `${prefix}${id}.`), ctx);
}

/** Resolves and checks a kafka / upsert-kafka table's options. */
export function kafkaSettings(info: TableInfo, env: ConnectorEnv | null, upsert: boolean): KafkaSettings {
  const o = info.options;
  const physical = info.physical;
  const pk = info.table.primaryKey;
  if (upsert && !pk)
    throw new ConnectorOptionError(
      `'upsert-kafka' tables require to define a PRIMARY KEY constraint. The PRIMARY KEY specifies which columns should be read from or write to the Kafka message key. The PRIMARY KEY also defines records in the 'upsert-kafka' table should update or delete on which keys.`,
    );
  const valueFormatId = upsert ? o['value.format'] : (o['value.format'] ?? o.format);
  if (!upsert && o.format !== undefined && o['value.format'] !== undefined)
    throw new ConnectorOptionError(`Option 'format' and 'value.format' are mutually exclusive; use only one of them.`);
  if (valueFormatId === undefined)
    throw new ConnectorOptionError(`Could not find required scan format 'value.format'.`);
  if (!upsert && pk)
    throw new ConnectorOptionError(
      `The Kafka table '${info.objectName}' with '${valueFormatId}' format doesn't support defining PRIMARY KEY constraint on the table, because it can't guarantee the semantic of primary key.`,
    );
  const prefix = o['key.fields-prefix'] ?? '';
  const include = o['value.fields-include'] ?? (upsert ? 'ALL' : 'ALL');
  if (include !== 'ALL' && include !== 'EXCEPT_KEY')
    throw new ConnectorOptionError(
      `Could not parse value '${include}' for key 'value.fields-include'. Expected one of: [ALL, EXCEPT_KEY]`,
    );
  let keyNames: string[] = [];
  if (upsert) keyNames = pk!;
  else if (o['key.fields'] !== undefined) {
    if (o['key.format'] === undefined)
      throw new ConnectorOptionError(
        `The option 'key.fields' can only be declared if a key format is defined using 'key.format'.`,
      );
    keyNames = o['key.fields'].split(';').map((s) => s.trim());
  } else if (o['key.format'] !== undefined)
    throw new ConnectorOptionError(
      `A key format 'key.format' requires the declaration of one or more of key fields using 'key.fields'.`,
    );
  if (prefix && include === 'ALL')
    throw new ConnectorOptionError(
      `A key prefix is not allowed when option 'value.fields-include' is set to 'ALL'. Set it to 'EXCEPT_KEY' instead to avoid field overlaps.`,
    );
  const keyFields = keyNames.map((n) => {
    const i = physical.findIndex((f) => f.name === n);
    if (i < 0)
      throw new ConnectorOptionError(
        `Could not find the field '${n}' in the table schema for usage in the key format. A key field must be a regular, physical column. The following columns can be selected in the 'key.fields' option: [${physical.map((f) => f.name).join(', ')}]`,
      );
    if (prefix && !n.startsWith(prefix))
      throw new ConnectorOptionError(
        `All fields in 'key.fields' must be prefixed with '${prefix}' when option 'key.fields-prefix' is set but field '${n}' is not prefixed.`,
      );
    return i;
  });
  const valueFields = physical.map((_, i) => i).filter((i) => include === 'ALL' || !keyFields.includes(i));
  const keyFormatId = o['key.format'];
  const topics = o.topic?.split(';').map((t) => t.trim());
  if (upsert && keyFormatId === undefined)
    throw new ConnectorOptionError(`Could not find required sink format 'key.format'.`);
  const keyFormat =
    keyFormatId === undefined
      ? null
      : formatFor(
          keyFormatId,
          keyFields.map((i) => ({ name: physical[i]!.name.slice(prefix.length), type: physical[i]!.type })),
          o,
          'key.',
          { isKey: true, ...(topics && { topics }) },
        );
  const valueFormat = formatFor(
    valueFormatId,
    valueFields.map((i) => physical[i]!),
    o,
    o.format !== undefined && !upsert ? '' : 'value.',
    { isKey: false, ...(topics && { topics }) },
  );
  const topic = o.topic;
  if (topic === undefined) {
    if (o['topic-pattern'] !== undefined)
      throw new ConnectorOptionError(
        `Option 'topic-pattern' is not supported yet; list topics in 'topic' separated by ';'.`,
      );
    throw new ConnectorOptionError(`One or more required options are missing. Missing required options are: topic`);
  }
  const bootstrap = o['properties.bootstrap.servers'] ?? env?.defaultBootstrapServers ?? '';
  if (!bootstrap && env)
    throw new ConnectorOptionError(
      `One or more required options are missing. Missing required options are: properties.bootstrap.servers`,
    );
  const properties: Record<string, string> = {};
  for (const [k, v] of Object.entries(o))
    if (k.startsWith('properties.')) properties[k.slice('properties.'.length)] = v;
  const startupModes: StartupMode[] = [
    'earliest-offset',
    'latest-offset',
    'group-offsets',
    'timestamp',
    'specific-offsets',
  ];
  const startup = (upsert ? 'earliest-offset' : (o['scan.startup.mode'] ?? 'group-offsets')) as StartupMode;
  if (!startupModes.includes(startup))
    throw new ConnectorOptionError(
      `Could not parse value '${startup}' for key 'scan.startup.mode'. Expected one of: [${startupModes.join(', ')}]`,
    );
  if (startup === 'specific-offsets' && o['scan.startup.specific-offsets'] === undefined)
    throw new ConnectorOptionError(
      `'scan.startup.specific-offsets' is required in 'specific-offsets' startup mode but missing.`,
    );
  if (startup === 'timestamp' && o['scan.startup.timestamp-millis'] === undefined)
    throw new ConnectorOptionError(
      `'scan.startup.timestamp-millis' is required in 'timestamp' startup mode but missing.`,
    );
  const boundedModes: BoundedMode[] = ['unbounded', 'latest-offset', 'group-offsets', 'timestamp', 'specific-offsets'];
  const bounded = (o['scan.bounded.mode'] ?? 'unbounded') as BoundedMode;
  if (!boundedModes.includes(bounded))
    throw new ConnectorOptionError(
      `Could not parse value '${bounded}' for key 'scan.bounded.mode'. Expected one of: [${boundedModes.join(', ')}]`,
    );
  if (bounded === 'specific-offsets' && o['scan.bounded.specific-offsets'] === undefined)
    throw new ConnectorOptionError(
      `'scan.bounded.specific-offsets' is required in 'specific-offsets' bounded mode but missing.`,
    );
  if (bounded === 'timestamp' && o['scan.bounded.timestamp-millis'] === undefined)
    throw new ConnectorOptionError(
      `'scan.bounded.timestamp-millis' is required in 'timestamp' bounded mode but missing.`,
    );
  const guarantees = ['exactly-once', 'at-least-once', 'none'] as const;
  const guaranteeKey = o['sink.delivery-guarantee'] !== undefined ? 'sink.delivery-guarantee' : 'sink.semantic';
  const deliveryGuarantee = (o[guaranteeKey] ?? 'at-least-once') as KafkaSettings['deliveryGuarantee'];
  if (!guarantees.includes(deliveryGuarantee))
    throw new ConnectorOptionError(
      `Could not parse value '${deliveryGuarantee}' for key '${guaranteeKey}'. Expected one of: [${guarantees.join(', ')}]`,
    );
  if (deliveryGuarantee === 'exactly-once' && !o['sink.transactional-id-prefix'])
    throw new ConnectorOptionError(
      'sink.transactional-id-prefix must be specified when using DeliveryGuarantee.EXACTLY_ONCE.',
    );
  return {
    deliveryGuarantee,
    topics: topic.split(';').map((t) => t.trim()),
    bootstrap,
    properties,
    keyFormat,
    valueFormat,
    keyFields,
    valueFields,
    startup,
    startupOffsets: o['scan.startup.specific-offsets']
      ? parseSpecificOffsets(o['scan.startup.specific-offsets'], 'scan.startup.specific-offsets')
      : new Map(),
    startupTimestamp: Number(o['scan.startup.timestamp-millis'] ?? 0),
    bounded,
    boundedOffsets: o['scan.bounded.specific-offsets']
      ? parseSpecificOffsets(o['scan.bounded.specific-offsets'], 'scan.bounded.specific-offsets')
      : new Map(),
    boundedTimestamp: Number(o['scan.bounded.timestamp-millis'] ?? 0),
  };
}
