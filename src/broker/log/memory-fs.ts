/**
 * An in-memory {@link LogFs} that models what survives a power loss: file
 * data is durable only once fsynced, and directory entries (creations,
 * renames, deletions) only once their directory is fsynced. `crash()` returns
 * the file system a machine would find on reboot, so tests can check the
 * log's fsync discipline, not just its behaviour under kill -9 (which loses
 * nothing the kernel already has).
 *
 * Simplification: directories themselves are durable as soon as created.
 */
import { dirname, normalize } from 'node:path';
import type { Fd, LogFs, OpenMode } from './fs.ts';

interface Inode {
  data: Buffer;
  length: number;
  /** Content as of the last fsync. */
  durable: Buffer;
  /** True while every change since the last fsync was an append at the end. */
  appendOnly: boolean;
}

function fsError(code: string, message: string): Error {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

/** How `crash()` treats data written but not fsynced. */
export type CrashMode = 'lose-unsynced' | 'torn';

export class MemoryLogFs implements LogFs {
  #files = new Map<string, Inode>();
  #durableNames = new Map<string, Inode>();
  #dirs = new Set<string>(['/', '.']);
  #fds = new Map<Fd, Inode>();
  #nextFd = 3;

  #inode(fd: Fd): Inode {
    const ino = this.#fds.get(fd);
    if (!ino) throw fsError('EBADF', `bad file descriptor ${fd}`);
    return ino;
  }

  mkdir(path: string): void {
    let p = normalize(path);
    while (!this.#dirs.has(p)) {
      this.#dirs.add(p);
      p = dirname(p);
    }
  }
  readdir(path: string): string[] {
    const dir = normalize(path);
    if (!this.#dirs.has(dir)) throw fsError('ENOENT', `no such directory ${path}`);
    const names: string[] = [];
    for (const p of [...this.#files.keys(), ...this.#dirs]) {
      if (p !== dir && dirname(p) === dir) names.push(p.slice(dir.length + (dir.endsWith('/') ? 0 : 1)));
    }
    return names;
  }
  exists(path: string): boolean {
    const p = normalize(path);
    return this.#files.has(p) || this.#dirs.has(p);
  }
  open(path: string, mode: OpenMode): Fd {
    const p = normalize(path);
    let ino = this.#files.get(p);
    if (!ino) {
      if (mode !== 'create') throw fsError('ENOENT', `no such file ${path}`);
      if (!this.#dirs.has(dirname(p))) throw fsError('ENOENT', `no such directory ${dirname(path)}`);
      ino = { data: Buffer.alloc(0), length: 0, durable: Buffer.alloc(0), appendOnly: true };
      this.#files.set(p, ino);
    } else if (mode === 'create') {
      ino.length = 0;
      ino.appendOnly = false;
    }
    const fd = this.#nextFd++;
    this.#fds.set(fd, ino);
    return fd;
  }
  close(fd: Fd): void {
    this.#inode(fd);
    this.#fds.delete(fd);
  }
  size(fd: Fd): number {
    return this.#inode(fd).length;
  }
  read(fd: Fd, buf: Uint8Array, offset: number, length: number, position: number): number {
    const ino = this.#inode(fd);
    const n = Math.max(0, Math.min(length, ino.length - position));
    if (n > 0) buf.set(ino.data.subarray(position, position + n), offset);
    return n;
  }
  write(fd: Fd, buf: Uint8Array, offset: number, length: number, position: number): void {
    const ino = this.#inode(fd);
    const end = position + length;
    if (end > ino.data.length) {
      const grown = Buffer.alloc(Math.max(end, ino.data.length * 2, 4096));
      ino.data.copy(grown, 0, 0, ino.length);
      ino.data = grown;
    }
    if (position > ino.length) ino.data.fill(0, ino.length, position);
    if (position < ino.length) ino.appendOnly = false;
    ino.data.set(buf.subarray(offset, offset + length), position);
    ino.length = Math.max(ino.length, end);
  }
  truncate(fd: Fd, length: number): void {
    const ino = this.#inode(fd);
    if (length < ino.length) ino.appendOnly = false;
    if (length > ino.length) this.write(fd, Buffer.alloc(length - ino.length), 0, length - ino.length, ino.length);
    ino.length = length;
  }
  async fsync(fd: Fd): Promise<void> {
    const ino = this.#inode(fd);
    ino.durable = Buffer.from(ino.data.subarray(0, ino.length));
    ino.appendOnly = true;
  }
  async fsyncDir(path: string): Promise<void> {
    const dir = normalize(path);
    for (const p of [...this.#durableNames.keys()]) if (dirname(p) === dir) this.#durableNames.delete(p);
    for (const [p, ino] of this.#files) if (dirname(p) === dir) this.#durableNames.set(p, ino);
  }
  rename(from: string, to: string): void {
    const f = normalize(from);
    const ino = this.#files.get(f);
    if (!ino) throw fsError('ENOENT', `no such file ${from}`);
    this.#files.delete(f);
    this.#files.set(normalize(to), ino);
  }
  unlink(path: string): void {
    const p = normalize(path);
    if (!this.#files.delete(p)) throw fsError('ENOENT', `no such file ${path}`);
  }
  rmrf(path: string): void {
    const root = normalize(path);
    const under = (p: string) => p === root || p.startsWith(`${root}/`);
    for (const p of [...this.#files.keys()]) if (under(p)) this.#files.delete(p);
    for (const p of [...this.#durableNames.keys()]) if (under(p)) this.#durableNames.delete(p);
    for (const p of [...this.#dirs]) if (under(p)) this.#dirs.delete(p);
  }

  /** Names of files currently open (tests check that close() releases everything). */
  get openFiles(): number {
    return this.#fds.size;
  }

  /**
   * The file system after a power loss: only fsynced data under fsynced
   * names. With `torn`, a file that was only appended to since its last
   * fsync keeps a random part of the unsynced tail (a prefix, maybe followed
   * by zeros), as write-back in progress would leave it.
   */
  crash(mode: CrashMode = 'lose-unsynced', random: () => number = Math.random): MemoryLogFs {
    const next = new MemoryLogFs();
    for (const d of this.#dirs) next.#dirs.add(d);
    const copies = new Map<Inode, Inode>();
    for (const [p, ino] of this.#durableNames) {
      let copy = copies.get(ino);
      if (!copy) {
        let data = Buffer.from(ino.durable);
        if (mode === 'torn' && ino.appendOnly && ino.length > data.length) {
          const extra = Math.floor(random() * (ino.length - data.length + 1));
          const zeros = random() < 0.3 ? Math.floor(random() * 64) : 0;
          data = Buffer.concat([data, ino.data.subarray(data.length, data.length + extra), Buffer.alloc(zeros)]);
        }
        copy = { data, length: data.length, durable: Buffer.from(data), appendOnly: true };
        copies.set(ino, copy);
      }
      next.#files.set(p, copy);
      next.#durableNames.set(p, copy);
    }
    return next;
  }
}
