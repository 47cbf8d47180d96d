/**
 * Producer id allocation. Kafka's controller hands brokers blocks of 1000
 * ids and records each block in the metadata log, so ids are never reused.
 * Here the end of the current block is kept in `<data dir>/txn/producer-ids`
 * (written atomically and fsynced before an id of a new block is handed
 * out); after a restart allocation continues at the next block.
 */
import { join } from 'node:path';
import { type LogFs, NodeLogFs } from '../log/index.ts';

const BLOCK_SIZE = 1000;
const FILE = 'producer-ids';

/** Hands out producer ids that stay unique across restarts. */
export class ProducerIdManager {
  readonly #fs: LogFs;
  readonly #dir: string;
  #next: number;
  #blockEnd: number;
  #chain: Promise<unknown> = Promise.resolve();

  private constructor(fs: LogFs, dir: string, next: number) {
    this.#fs = fs;
    this.#dir = dir;
    this.#next = next;
    this.#blockEnd = next;
  }

  /** Reads the block file in `dir` (created on first allocation). */
  static open(dir: string, fs: LogFs = new NodeLogFs()): ProducerIdManager {
    fs.mkdir(dir);
    const path = join(dir, FILE);
    let next = 0;
    if (fs.exists(path)) {
      const fd = fs.open(path, 'read');
      try {
        const buf = Buffer.alloc(fs.size(fd));
        fs.read(fd, buf, 0, buf.length, 0);
        const n = Number(JSON.parse(buf.toString('utf8')).nextBlockStart);
        if (Number.isSafeInteger(n) && n >= 0) next = n;
      } finally {
        fs.close(fd);
      }
    }
    return new ProducerIdManager(fs, dir, next);
  }

  /** The next producer id (persisting a new block first when the current one is used up). */
  generate(): Promise<number> {
    const run = async (): Promise<number> => {
      if (this.#next >= this.#blockEnd) {
        const end = this.#next + BLOCK_SIZE;
        const body = Buffer.from(`${JSON.stringify({ version: 1, nextBlockStart: end })}\n`);
        const tmp = join(this.#dir, `${FILE}.tmp`);
        const fd = this.#fs.open(tmp, 'create');
        try {
          this.#fs.write(fd, body, 0, body.length, 0);
          await this.#fs.fsync(fd);
        } finally {
          this.#fs.close(fd);
        }
        this.#fs.rename(tmp, join(this.#dir, FILE));
        await this.#fs.fsyncDir(this.#dir);
        this.#blockEnd = end;
      }
      return this.#next++;
    };
    const p = this.#chain.then(run, run);
    this.#chain = p.catch(() => {});
    return p;
  }
}
