/**
 * A {@link LogFs} wrapper for tests: counts calls, can fail the next write or
 * fsync (as a dying disk does, with EIO), and can slow fsyncs down so that
 * group commit has something to group.
 */
import type { Fd, LogFs, OpenMode } from './fs.ts';

function eio(what: string): Error {
  return Object.assign(new Error(`EIO: i/o error, ${what}`), { code: 'EIO' });
}

export class FaultyLogFs implements LogFs {
  readonly inner: LogFs;
  /** Calls made so far. */
  readonly counts = { write: 0, fsync: 0, fsyncDir: 0, rename: 0, unlink: 0 };
  /** Each fsync waits this long first (default 0). */
  fsyncDelayMs = 0;
  #failWrite: Error | null = null;
  #failFsync: Error | null = null;

  constructor(inner: LogFs) {
    this.inner = inner;
  }

  /** The next write throws `err` (default EIO) without writing anything. */
  failNextWrite(err: Error = eio('write')): void {
    this.#failWrite = err;
  }
  /** The next fsync (of a file or a directory) rejects with `err` (default EIO). */
  failNextFsync(err: Error = eio('fsync')): void {
    this.#failFsync = err;
  }

  mkdir(path: string): void {
    this.inner.mkdir(path);
  }
  readdir(path: string): string[] {
    return this.inner.readdir(path);
  }
  exists(path: string): boolean {
    return this.inner.exists(path);
  }
  open(path: string, mode: OpenMode): Fd {
    return this.inner.open(path, mode);
  }
  close(fd: Fd): void {
    this.inner.close(fd);
  }
  size(fd: Fd): number {
    return this.inner.size(fd);
  }
  read(fd: Fd, buf: Uint8Array, offset: number, length: number, position: number): number {
    return this.inner.read(fd, buf, offset, length, position);
  }
  write(fd: Fd, buf: Uint8Array, offset: number, length: number, position: number): void {
    this.counts.write++;
    const err = this.#failWrite;
    if (err) {
      this.#failWrite = null;
      throw err;
    }
    this.inner.write(fd, buf, offset, length, position);
  }
  truncate(fd: Fd, length: number): void {
    this.inner.truncate(fd, length);
  }
  async #maybeFailSync(): Promise<void> {
    if (this.fsyncDelayMs > 0) await new Promise((r) => setTimeout(r, this.fsyncDelayMs));
    const err = this.#failFsync;
    if (err) {
      this.#failFsync = null;
      throw err;
    }
  }
  async fsync(fd: Fd): Promise<void> {
    this.counts.fsync++;
    await this.#maybeFailSync();
    await this.inner.fsync(fd);
  }
  async fsyncDir(path: string): Promise<void> {
    this.counts.fsyncDir++;
    await this.#maybeFailSync();
    await this.inner.fsyncDir(path);
  }
  rename(from: string, to: string): void {
    this.counts.rename++;
    this.inner.rename(from, to);
  }
  unlink(path: string): void {
    this.counts.unlink++;
    this.inner.unlink(path);
  }
  rmrf(path: string): void {
    this.inner.rmrf(path);
  }
}
