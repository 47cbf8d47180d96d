/** The batches crash-child.ts writes, so the parent can rebuild their exact bytes. */
import { makeBatch } from './helpers.ts';

export const CRASH_CONFIG = { segmentBytes: 256 * 1024, indexIntervalBytes: 1024 };

/** The batch with this index: size, record count and content all derive from it. */
export function crashBatch(index: number): Buffer {
  return makeBatch({
    count: 1 + (index % 5),
    valueSize: 50 + ((index * 37) % 900),
    timestamp: 1_700_000_000_000 + index,
    fill: index & 0xff,
  });
}
