/**
 * Child process of crash.test.ts: appends batches from four concurrent
 * "producers" and prints `<index> <baseOffset>` once each is flushed (acked).
 * The parent SIGKILLs it at a random moment.
 * Usage: node --import tsx crash-child.ts <dir> <firstIndex>
 */
import { PartitionLog } from '../../../src/broker/log/index.ts';
import { CRASH_CONFIG, crashBatch } from './crash-batches.ts';

const [dir, first] = process.argv.slice(2);
const log = await PartitionLog.open(dir!, CRASH_CONFIG);
let next = Number(first);

async function producer(): Promise<never> {
  for (;;) {
    const index = next++;
    const r = log.append(crashBatch(index));
    await log.flush();
    process.stdout.write(`${index} ${r.baseOffset}\n`);
  }
}

process.stdout.write('ready\n');
await Promise.all([producer(), producer(), producer(), producer()]);
