/** Flink's `blackhole` sink: swallows every row (for benchmarks). */
import { type ConnectorFactory, registerConnector } from '../connector.ts';

const blackhole: ConnectorFactory = {
  identifier: 'blackhole',
  requiredOptions: [],
  optionalOptions: ['sink.parallelism'],
  sink: () => ({
    accepts: 'all',
    create: () => ({ write() {}, flush: async () => {}, close: async () => {} }),
  }),
};

registerConnector(blackhole);
