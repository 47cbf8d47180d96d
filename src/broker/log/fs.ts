/**
 * The file-system seam of the partition log. Everything the log does to disk
 * goes through a {@link LogFs}, so tests can swap in an in-memory file system
 * that simulates power loss (memory-fs.ts) or one that fails the next write or
 * fsync (faulty-fs.ts).
 *
 * Writes, reads and metadata calls are synchronous: appends keep their order
 * and cost one `write(2)`; reads of page-cached segments take microseconds.
 * Only the calls that wait for the disk (fsync) are asynchronous, so they run
 * on libuv's thread pool and never block the event loop.
 */
import * as fs from 'node:fs';

/** A file descriptor handed out by a {@link LogFs}. */
export type Fd = number;

/** How to open a file: read only, read-write of an existing file, or create (truncating). */
export type OpenMode = 'read' | 'readwrite' | 'create';

/** The calls the partition log makes on its directory. Paths are absolute or relative to the process. */
export interface LogFs {
  /** Creates a directory and its parents; no error if it exists. */
  mkdir(path: string): void;
  /** Names in a directory (no `.` or `..`). */
  readdir(path: string): string[];
  exists(path: string): boolean;
  open(path: string, mode: OpenMode): Fd;
  close(fd: Fd): void;
  /** Current length of an open file. */
  size(fd: Fd): number;
  /** Reads up to `length` bytes at `position`; returns the count (short only at end of file). */
  read(fd: Fd, buf: Uint8Array, offset: number, length: number, position: number): number;
  /** Writes all `length` bytes at `position` or throws. */
  write(fd: Fd, buf: Uint8Array, offset: number, length: number, position: number): void;
  truncate(fd: Fd, length: number): void;
  /** Waits until the file's data is durable. */
  fsync(fd: Fd): Promise<void>;
  /** Waits until the directory's entries (creations, renames, deletions) are durable. */
  fsyncDir(path: string): Promise<void>;
  /** Atomically replaces `to` if it exists. */
  rename(from: string, to: string): void;
  unlink(path: string): void;
  /** Removes a directory and everything in it; no error if it is missing. */
  rmrf(path: string): void;
}

function fsyncAsync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fsync(fd, (err) => (err ? reject(err) : resolve())));
}

const OPEN_FLAGS: Record<OpenMode, string> = { read: 'r', readwrite: 'r+', create: 'w+' };

/** The real file system through `node:fs`. */
export class NodeLogFs implements LogFs {
  mkdir(path: string): void {
    fs.mkdirSync(path, { recursive: true });
  }
  readdir(path: string): string[] {
    return fs.readdirSync(path);
  }
  exists(path: string): boolean {
    return fs.existsSync(path);
  }
  open(path: string, mode: OpenMode): Fd {
    return fs.openSync(path, OPEN_FLAGS[mode]);
  }
  close(fd: Fd): void {
    fs.closeSync(fd);
  }
  size(fd: Fd): number {
    return fs.fstatSync(fd).size;
  }
  read(fd: Fd, buf: Uint8Array, offset: number, length: number, position: number): number {
    let done = 0;
    while (done < length) {
      const n = fs.readSync(fd, buf, offset + done, length - done, position + done);
      if (n === 0) break;
      done += n;
    }
    return done;
  }
  write(fd: Fd, buf: Uint8Array, offset: number, length: number, position: number): void {
    let done = 0;
    while (done < length) done += fs.writeSync(fd, buf, offset + done, length - done, position + done);
  }
  truncate(fd: Fd, length: number): void {
    fs.ftruncateSync(fd, length);
  }
  fsync(fd: Fd): Promise<void> {
    return fsyncAsync(fd);
  }
  async fsyncDir(path: string): Promise<void> {
    const fd = fs.openSync(path, 'r');
    try {
      await fsyncAsync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }
  rename(from: string, to: string): void {
    fs.renameSync(from, to);
  }
  unlink(path: string): void {
    fs.unlinkSync(path);
  }
  rmrf(path: string): void {
    fs.rmSync(path, { recursive: true, force: true });
  }
}

/** Reads a whole small file, or null if it does not exist. */
export function readWholeFile(lfs: LogFs, path: string): Buffer | null {
  if (!lfs.exists(path)) return null;
  const fd = lfs.open(path, 'read');
  try {
    const buf = Buffer.alloc(lfs.size(fd));
    const n = lfs.read(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n);
  } finally {
    lfs.close(fd);
  }
}

/**
 * Replaces a small file atomically and durably: write `<path>.tmp`, fsync it,
 * rename over `path`, fsync the directory. A crash leaves the old or the new
 * content, never a mix.
 */
export async function writeFileAtomic(lfs: LogFs, dir: string, path: string, data: Uint8Array): Promise<void> {
  const tmp = `${path}.tmp`;
  const fd = lfs.open(tmp, 'create');
  try {
    lfs.write(fd, data, 0, data.length, 0);
    await lfs.fsync(fd);
  } finally {
    lfs.close(fd);
  }
  lfs.rename(tmp, path);
  await lfs.fsyncDir(dir);
}
