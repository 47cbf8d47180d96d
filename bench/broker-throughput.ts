/**
 * Produce/consume throughput of Tributary against Redis Streams and the
 * machine's limits. The code is in bench/throughput/ (main.ts first);
 * bench/README.md explains every figure.
 *
 * Run: node --import tsx bench/broker-throughput.ts --help
 */
import { runBrokerThroughput } from './throughput/main.ts';

runBrokerThroughput();
