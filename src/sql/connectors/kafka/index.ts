/**
 * The `kafka` and `upsert-kafka` connectors (Flink's option names and checks, see options.ts): sources
 * in source.ts, sinks in sink.ts, both through the project's Kafka client.
 */
import { APPEND, RETRACT } from '../../runtime/changelog.ts';
import { type ConnectorFactory, registerConnector } from '../connector.ts';
import { COMMON_OPTIONS, KAFKA_METADATA, kafkaFormatOptions, kafkaSettings } from './options.ts';
import { kafkaSink } from './sink.ts';
import { kafkaSource } from './source.ts';

const kafka: ConnectorFactory = {
  identifier: 'kafka',
  requiredOptions: [],
  optionalOptions: [
    ...COMMON_OPTIONS,
    'topic-pattern',
    'format',
    'key.fields',
    'scan.startup.mode',
    'scan.startup.specific-offsets',
    'scan.startup.timestamp-millis',
    'scan.topic-partition-discovery.interval',
    'sink.partitioner',
    'sink.semantic',
  ],
  optionalPrefixes: ['properties.'],
  metadata: KAFKA_METADATA,
  formatOptions: kafkaFormatOptions,
  validate: (info) => void kafkaSettings(info, null, false),
  source(info, env) {
    const s = kafkaSettings(info, env, false);
    return {
      changelogMode: APPEND,
      bounded: s.bounded !== 'unbounded',
      create: (ctx) => kafkaSource(info, s, false, ctx),
    };
  },
  sink(info, env) {
    const s = kafkaSettings(info, env, false);
    return { accepts: 'append', create: (ctx) => kafkaSink(info, s, false, ctx) };
  },
};

const upsertKafka: ConnectorFactory = {
  identifier: 'upsert-kafka',
  requiredOptions: ['topic', 'key.format', 'value.format'],
  optionalOptions: [...COMMON_OPTIONS, 'sink.buffer-flush.max-rows', 'sink.buffer-flush.interval'],
  optionalPrefixes: ['properties.'],
  metadata: KAFKA_METADATA,
  formatOptions: kafkaFormatOptions,
  validate: (info) => void kafkaSettings(info, null, true),
  source(info, env) {
    const s = kafkaSettings(info, env, true);
    return {
      changelogMode: RETRACT,
      bounded: s.bounded !== 'unbounded',
      create: (ctx) => kafkaSource(info, s, true, ctx),
    };
  },
  sink(info, env) {
    const s = kafkaSettings(info, env, true);
    return { accepts: 'upsert', create: (ctx) => kafkaSink(info, s, true, ctx) };
  },
};

registerConnector(kafka);
registerConnector(upsertKafka);
