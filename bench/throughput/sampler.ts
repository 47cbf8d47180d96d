/**
 * CPU use over a span that a child process reports after the fact: every
 * 100 ms this process samples the machine, the server, the kernel threads
 * and itself, stamped with CLOCK_MONOTONIC (process.hrtime, the same clock in
 * every process). `usage(start, end, clientCores)` then takes the samples
 * around a span the child measured (its `monotonicStartMs`/`monotonicEndMs`),
 * so the child's Node start-up and connection set-up stay out of the
 * figures, as they stay out of its records/s.
 */
import { cpuSeconds, kernelThreads, machineCpu } from './cpu.ts';
import { round, type Usage } from './stats.ts';

interface Sample {
  monoMs: number;
  machine: { busy: number; irq: number } | null;
  server: number | null;
  kernel: Map<number, number>;
  self: number;
}

const PERIOD_MS = 100;

function monoMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export class Sampler {
  readonly #serverPid: number | undefined;
  readonly #samples: Sample[] = [];
  readonly #timer: NodeJS.Timeout;

  constructor(serverPid: number | undefined) {
    this.#serverPid = serverPid;
    this.#take();
    this.#timer = setInterval(() => this.#take(), PERIOD_MS);
  }

  #take(): void {
    const self = process.cpuUsage();
    this.#samples.push({
      monoMs: monoMs(),
      machine: machineCpu(),
      server: cpuSeconds(this.#serverPid),
      kernel: kernelThreads(),
      self: (self.user + self.system) / 1e6,
    });
    // a span is at most a few minutes: keep 10 minutes of samples
    if (this.#samples.length > 6000) this.#samples.shift();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /**
   * CPU cores used over [startMs, endMs] (monotonic ms), measured between the
   * last sample at or before the start and the first at or after the end (so
   * over up to 2 × 100 ms more than the span). `clientCores` is the load
   * generator's own figure for the span.
   */
  usage(startMs: number, endMs: number, clientCores: number): Usage {
    this.#take();
    const s = this.#samples;
    let a = s[0]!;
    for (const x of s) if (x.monoMs <= startMs) a = x;
    const b = s.find((x) => x.monoMs >= endMs) ?? s[s.length - 1]!;
    const seconds = Math.max(b.monoMs - a.monoMs, 1) / 1000;
    const u: Usage = { clientCores: round(clientCores, 2) };
    const server = a.server !== null && b.server !== null ? b.server - a.server : null;
    if (server !== null) u.serverCores = round(server / seconds, 2);
    if (a.machine && b.machine) {
      const busy = b.machine.busy - a.machine.busy;
      let kernel = b.machine.irq - a.machine.irq;
      for (const [pid, cpu] of b.kernel) kernel += cpu - (a.kernel.get(pid) ?? 0);
      const client = clientCores * seconds;
      u.machineCores = round(busy / seconds, 2);
      u.kernelCores = round(kernel / seconds, 2);
      u.otherCores = round(Math.max(0, busy - (server ?? 0) - client - (b.self - a.self) - kernel) / seconds, 2);
    }
    return u;
  }
}
