import { runLogConformance } from './conformance.ts';
import { memoryStorage, nodeStorage } from './helpers.ts';

runLogConformance(nodeStorage);
runLogConformance(memoryStorage);
