/**
 * CPU accounting from /proc (Linux; elsewhere every reader returns null or
 * nothing): a process's CPU time, the machine's, and the kernel threads'.
 * No options, so other benchmarks can import it.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** CPU seconds (user + system, all threads) a process has used so far; null off Linux. */
export function cpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); utime and stime are fields 14 and 15
    return (Number(fields[11]) + Number(fields[12])) / 100; // CLK_TCK is 100 on Linux
  } catch {
    return null;
  }
}

/** Busy, interrupt and total CPU time of the whole machine so far, in seconds (all cores). */
export function machineCpu(): { busy: number; irq: number; total: number } | null {
  try {
    // user nice system idle iowait irq softirq steal
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = f.reduce((a, b) => a + b, 0);
    const idle = f[3]! + f[4]!;
    return { busy: (total - idle) / 100, irq: (f[5]! + f[6]!) / 100, total: total / 100 };
  } catch {
    return null;
  }
}

/** CPU seconds of every kernel thread (writeback, journal, workers), by pid. */
export function kernelThreads(): Map<number, number> {
  const out = new Map<number, number>();
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return out;
  }
  for (const d of pids) {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // f[1] is the parent pid: kernel threads are kthreadd (2) and its children
      if (d === '2' || f[1] === '2') out.set(Number(d), (Number(f[11]) + Number(f[12])) / 100);
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}
