/**
 * Summary of the broker's CPU profile (--cpu-prof): its busy time by the
 * area of our code on the stack, and its top self-time functions.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO } from './options.ts';
import { log } from './stats.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * Prints where the broker spent its CPU. Node writes one profile per thread
 * (tsx adds a module loader thread); the busiest profile written since
 * `since` is the main thread's.
 */
export function summariseProfile(dir: string, since: number): void {
  let best: { file: string; prof: Profile; busy: number } | null = null;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    if (statSync(join(dir, file)).mtimeMs < since) continue;
    const prof = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile;
    const idleIds = new Set(prof.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
    let busy = 0;
    for (let i = 0; i < prof.samples.length; i++) if (!idleIds.has(prof.samples[i]!)) busy += prof.timeDeltas[i] ?? 0;
    if (!best || busy > best.busy) best = { file, prof, busy };
  }
  if (!best) {
    log(`no .cpuprofile was written to ${dir}`);
    return;
  }
  const { file, prof } = best;
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  for (let i = 0; i < prof.samples.length; i++) {
    const id = prof.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
  }
  const where = (n: ProfileNode): string => {
    const url = n.callFrame.url.startsWith('file://') ? fileURLToPath(n.callFrame.url) : n.callFrame.url;
    const rel = url.startsWith(REPO) ? relative(REPO, url) : url;
    // tsx's output has no line breaks, so a line number would say nothing
    return rel && n.callFrame.lineNumber > 0 ? `${rel}:${n.callFrame.lineNumber + 1}` : rel;
  };
  /** The nearest frame of our own code (src/) on the stack of `id`, itself included. */
  const ourCaller = (id: number): ProfileNode | undefined => {
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur)!;
      if (where(n).startsWith('src/')) return n;
    }
    return undefined;
  };
  const fns = new Map<string, number>();
  const areas = new Map<string, number>();
  const add = (m: Map<string, number>, k: string, us: number): void => {
    m.set(k, (m.get(k) ?? 0) + us);
  };
  let total = 0;
  let idle = 0;
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    const name = n.callFrame.functionName || '(anonymous)';
    if (name === '(idle)') {
      idle += us;
      continue;
    }
    total += us;
    const loc = where(n);
    const caller = ourCaller(id);
    const callerName = caller ? `${caller.callFrame.functionName || '(anonymous)'} ${where(caller)}` : '';
    // native and Node-internal frames are named with the code of ours that called them
    const label = loc.startsWith('src/') || !caller ? `${name} ${loc}`.trim() : `${name} ${loc} ← ${callerName}`;
    add(fns, label.replace(/ {2,}/g, ' '), us);
    const area = caller
      ? where(caller)
          .replace(/:\d+$/, '')
          .replace(/^(src\/[^/]+\/[^/]+)\/.*/, '$1')
      : name.startsWith('(')
        ? name
        : loc.startsWith('node_modules/')
          ? loc.split('/').slice(0, 2).join('/')
          : 'node internals (no caller in src/)';
    add(areas, area, us);
  }
  const pct = (us: number): string => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
  console.log(
    `\nCPU profile of the broker's main thread (${file}): ${(total / 1e6).toFixed(1)} s busy, ` +
      `${(idle / 1e6).toFixed(1)} s idle. Samples are wall-clock: "busy" includes time blocked in ` +
      'synchronous system calls; GC helper threads and the libuv pool are not in it.',
  );
  console.log('busy time by the area of our code on the stack (native and node: work counted for its caller):');
  for (const [g, us] of [...areas].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${pct(us)}  ${g}`);
  console.log('top self-time functions (native and node: frames with their caller in src/):');
  for (const [f, us] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`  ${pct(us)}  ${f}`);
}
