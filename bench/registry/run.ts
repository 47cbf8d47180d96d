/**
 * Schema lookups per second against Tributary's registry over HTTP, next to
 * the machine's HTTP limit measured in the same run.
 *
 * Three servers, each its own process (bench/registry/server.ts):
 *   registry   a broker and Tributary's registry (state filled with
 *              --subjects schemas plus the one looked up)
 *   node-http  a bare node:http server answering the registry's exact bodies
 *   hono       a bare Hono app on @hono/node-server, same bodies
 * Two workloads:
 *   get        GET /schemas/ids/{id} (what every deserializer does per new id)
 *   lookup     POST /subjects/{subject} with the schema (what a serializer
 *              without auto-register/use-latest does per new schema)
 * The load generator (this process) keeps C keep-alive connections, each
 * with one request in flight at a time, for --seconds (after --warmup
 * seconds the first time), for each C in --clients. It speaks HTTP/1.1 on
 * raw sockets (no http.Agent), so it costs less CPU per request than the
 * servers. Steps go round-robin over the servers --repeat times and the
 * median run is reported, so other load on the machine hits every server
 * alike.
 *
 * Run: node --import tsx bench/registry/run.ts [--seconds 1.5] [--repeat 3] [--clients 1,16] [--subjects 500]
 *        [--broker inline|separate] (inline: broker and registry share a process, as in `tributary start`)
 * Results: a table on stdout and bench/results/registry-<time>.json;
 * bench/registry/RESULTS.md has the last one and how to read it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { children, tmpDir } from '../common/children.ts';
import { cpuSeconds, machineCpu } from '../throughput/cpu.ts';

const REPO = new URL('../..', import.meta.url).pathname;
const { values: opts } = parseArgs({
  options: {
    seconds: { type: 'string', default: '1.5' },
    warmup: { type: 'string', default: '0.7' },
    repeat: { type: 'string', default: '3' },
    'cpu-prof': { type: 'string' },
    broker: { type: 'string', default: 'inline' },
    clients: { type: 'string', default: '1,16' },
    subjects: { type: 'string', default: '500' },
    help: { type: 'boolean', default: false },
  },
});
if (opts.help) {
  console.log(
    'node --import tsx bench/registry/run.ts [--seconds 1.5] [--warmup 0.7] [--repeat 3] [--clients 1,16] [--subjects 500] [--broker inline|separate] [--cpu-prof DIR]',
  );
  process.exit(0);
}
const SECONDS = Number(opts.seconds);
const WARMUP = Number(opts.warmup);
const CLIENTS = (opts.clients as string).split(',').map(Number);
const SUBJECTS = Number(opts.subjects);
const REPEAT = Number(opts.repeat);
const CT = 'application/vnd.schemaregistry.v1+json';

// ---- servers ----

interface Server {
  name: string;
  url: URL;
  child: ChildProcess;
}

function startServer(name: string, args: string[]): Promise<Server> {
  // --cpu-prof DIR: a V8 CPU profile of the registry's process, written when it stops
  const prof = name === 'registry' && opts['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${opts['cpu-prof']}`] : [];
  const child = spawn(process.execPath, [...prof, '--import', 'tsx', join(REPO, 'bench/registry/server.ts'), ...args], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve({ name, url: new URL(JSON.parse(line).url), child });
    });
    child.once('exit', (code) => reject(new Error(`${name} server exited with ${code}`)));
  });
}

async function stopServer(s: Server): Promise<void> {
  if (s.child.exitCode !== null) return;
  const exited = new Promise((r) => s.child.once('exit', r));
  s.child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (s.child.exitCode === null) s.child.kill('SIGKILL');
}

// ---- a minimal keep-alive HTTP/1.1 client on a raw socket ----

class Conn {
  readonly #socket: Socket;
  #buf: Buffer = Buffer.alloc(0);
  #pending: { resolve: (status: number) => void; reject: (e: Error) => void } | null = null;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => {
      this.#buf = this.#buf.length === 0 ? d : Buffer.concat([this.#buf, d]);
      this.#parse();
    });
    socket.on('error', (e) => this.#pending?.reject(e));
    socket.on('close', () => this.#pending?.reject(new Error('connection closed')));
  }

  static open(url: URL): Promise<Conn> {
    return new Promise((resolve, reject) => {
      const s = connect(Number(url.port), url.hostname, () => resolve(new Conn(s)));
      s.once('error', reject);
    });
  }

  request(bytes: Buffer): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#pending = { resolve, reject };
      this.#socket.write(bytes);
    });
  }

  #parse(): void {
    const end = this.#buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = this.#buf.subarray(0, end).toString('latin1');
    const status = Number(head.slice(9, 12));
    const lower = head.toLowerCase();
    const bodyStart = end + 4;
    let total: number;
    const m = /\r\ncontent-length:\s*(\d+)/.exec(lower);
    if (m) {
      total = bodyStart + Number(m[1]);
    } else if (lower.includes('transfer-encoding: chunked')) {
      const last = this.#buf.indexOf('\r\n0\r\n\r\n', bodyStart - 2);
      if (last < 0) return;
      total = last + 7;
    } else {
      throw new Error(`response without a length: ${head}`);
    }
    if (this.#buf.length < total) return;
    this.#buf = this.#buf.subarray(total);
    const p = this.#pending;
    this.#pending = null;
    p?.resolve(status);
  }

  close(): void {
    this.#socket.destroy();
  }
}

function requestBytes(url: URL, method: string, path: string, body?: string): Buffer {
  const b = body === undefined ? '' : body;
  const head =
    `${method} ${path} HTTP/1.1\r\nHost: ${url.host}\r\nAccept: ${CT}\r\nConnection: keep-alive\r\n` +
    (body === undefined ? '' : `Content-Type: ${CT}\r\nContent-Length: ${Buffer.byteLength(b)}\r\n`) +
    '\r\n';
  return Buffer.from(head + b);
}

// ---- one measured step ----

interface Step {
  workload: string;
  server: string;
  clients: number;
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  p50ms: number;
  p99ms: number;
  serverCores: number | null;
  loadCores: number;
  machineCores: number | null;
}

async function load(url: URL, bytes: Buffer, clients: number, seconds: number) {
  const conns = await Promise.all(Array.from({ length: clients }, () => Conn.open(url)));
  const lat: number[] = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    conns.map(async (c) => {
      while (performance.now() < end) {
        const t0 = performance.now();
        const status = await c.request(bytes);
        lat.push(performance.now() - t0);
        if (status !== 200) errors++;
      }
    }),
  );
  for (const c of conns) c.close();
  return { lat, errors };
}

async function step(workload: string, s: Server, bytes: Buffer, clients: number, warmup: number): Promise<Step> {
  await load(s.url, bytes, clients, warmup);
  const cpu0 = cpuSeconds(s.child.pid);
  const m0 = machineCpu();
  const u0 = process.cpuUsage();
  const t0 = performance.now();
  const { lat, errors } = await load(s.url, bytes, clients, SECONDS);
  const seconds = (performance.now() - t0) / 1000;
  const u1 = process.cpuUsage(u0);
  const cpu1 = cpuSeconds(s.child.pid);
  const m1 = machineCpu();
  lat.sort((a, b) => a - b);
  const q = (p: number): number => Number((lat[Math.min(lat.length - 1, Math.floor(lat.length * p))] ?? 0).toFixed(3));
  return {
    workload,
    server: s.name,
    clients,
    requests: lat.length,
    errors,
    seconds: Number(seconds.toFixed(3)),
    rps: Math.round(lat.length / seconds),
    p50ms: q(0.5),
    p99ms: q(0.99),
    serverCores: cpu0 === null || cpu1 === null ? null : Number(((cpu1 - cpu0) / seconds).toFixed(2)),
    loadCores: Number(((u1.user + u1.system) / 1e6 / seconds).toFixed(2)),
    machineCores: m0 && m1 ? Number(((m1.busy - m0.busy) / seconds).toFixed(2)) : null,
  };
}

// ---- the registry's content ----

const FIELDS = [
  { name: 'id', type: 'long' },
  { name: 'customer', type: 'string' },
  { name: 'email', type: 'string', 'confluent:tags': ['PII'] },
  { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 } },
  { name: 'currency', type: { type: 'enum', name: 'Currency', symbols: ['EUR', 'USD', 'GBP'] } },
  { name: 'createdAt', type: { type: 'long', logicalType: 'timestamp-millis' } },
  { name: 'items', type: { type: 'array', items: 'string' }, default: [] },
  { name: 'note', type: ['null', 'string'], default: null },
];

async function http(url: URL, method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(new URL(path, url), {
    method,
    headers: { 'Content-Type': CT },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: res.status, text: await res.text() };
}

async function fill(url: URL): Promise<{ id: number; subject: string; lookupBody: string }> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < SUBJECTS; i = next++) {
      const schema = JSON.stringify({ type: 'record', name: `Filler${i}`, namespace: 'bench', fields: FIELDS });
      const res = await http(url, 'POST', `/subjects/filler-${i}-value/versions`, { schema });
      if (res.status !== 200) throw new Error(`register filler ${i}: ${res.text}`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  const schema = JSON.stringify({ type: 'record', name: 'Order', namespace: 'com.example.orders', fields: FIELDS });
  const contract = {
    metadata: { tags: { '**.email': ['PII'] }, properties: { owner: 'orders-team', major_version: '1' } },
    ruleSet: {
      domainRules: [
        { name: 'positive', kind: 'CONDITION', mode: 'WRITE', type: 'CEL', expr: 'message.id > 0' },
        {
          name: 'maskPii',
          kind: 'TRANSFORM',
          mode: 'WRITE',
          type: 'CEL_FIELD',
          tags: ['PII'],
          expr: "typeName == 'STRING' ; 'redacted'",
        },
      ],
    },
  };
  const reg = await http(url, 'POST', '/subjects/orders-value/versions', { schema, ...contract });
  if (reg.status !== 200) throw new Error(`register: ${reg.text}`);
  const { id } = JSON.parse(reg.text) as { id: number };
  // the lookup sends what a serializer sends: the schema and its contract
  return { id, subject: 'orders-value', lookupBody: JSON.stringify({ schemaType: 'AVRO', schema, ...contract }) };
}

// ---- main ----

function table(steps: Array<Step & { samples: number[] }>): string {
  const rows = [
    [
      'workload',
      'server',
      'clients',
      'req/s',
      'p50 ms',
      'p99 ms',
      'server cores',
      'load cores',
      'machine',
      'errors',
      'runs',
    ],
  ];
  for (const s of steps) {
    rows.push([
      s.workload,
      s.server,
      String(s.clients),
      s.rps.toLocaleString('en-US'),
      String(s.p50ms),
      String(s.p99ms),
      String(s.serverCores ?? '-'),
      String(s.loadCores),
      String(s.machineCores ?? '-'),
      String(s.errors),
      s.samples.join(' '),
    ]);
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] as string).length))) ?? [];
  const line = (r: string[]): string => `| ${r.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  return [line(rows[0] as string[]), line(widths.map((w) => '-'.repeat(w))), ...rows.slice(1).map(line)].join('\n');
}

async function main(): Promise<void> {
  const started = Date.now();
  console.error(`registry bench: ${os.cpus().length} cores, ${os.cpus()[0]?.model}, node ${process.version}`);
  // --broker inline: broker and registry in one process, as `tributary start` runs them;
  // --broker separate: the broker in its own process, so the registry process serves HTTP only
  let broker: Server | undefined;
  if (opts.broker === 'separate') broker = await startServer('broker', ['broker']);
  const registry = await startServer('registry', ['registry', ...(broker ? [broker.url.host] : [])]);
  console.error(`registry at ${registry.url}; registering ${SUBJECTS} filler schemas…`);
  const fillStart = Date.now();
  const { id, subject, lookupBody } = await fill(registry.url);
  console.error(`filled in ${((Date.now() - fillStart) / 1000).toFixed(1)} s`);
  const getPath = `/schemas/ids/${id}`;
  const lookupPath = `/subjects/${subject}`;
  const getRes = await http(registry.url, 'GET', getPath);
  const postRes = await fetch(new URL(lookupPath, registry.url), {
    method: 'POST',
    headers: { 'Content-Type': CT },
    body: lookupBody,
  });
  const postText = await postRes.text();
  if (getRes.status !== 200 || postRes.status !== 200) throw new Error(`setup: ${getRes.text} ${postText}`);
  const bodiesFile = join(tmpDir('registry'), 'bodies.json');
  writeFileSync(bodiesFile, JSON.stringify({ get: getRes.text, post: postText }));
  const nodeHttp = await startServer('node-http', ['node-http', bodiesFile]);
  const hono = await startServer('hono', ['hono', bodiesFile]);
  const servers = [nodeHttp, hono, registry];

  // Round-robin: every repetition measures every server once per workload and client count, so
  // load from other processes on the machine spreads over all servers alike; the median run counts.
  const runs: Step[] = [];
  const workloads = [
    ['get', 'GET', getPath, undefined],
    ['lookup', 'POST', lookupPath, lookupBody],
  ] as const;
  for (let rep = 0; rep < REPEAT; rep++) {
    for (const [workload, method, path, body] of workloads) {
      for (const clients of CLIENTS) {
        for (const s of servers) {
          const warmup = rep === 0 ? WARMUP : 0.2;
          const st = await step(workload, s, requestBytes(s.url, method, path, body), clients, warmup);
          runs.push(st);
          console.error(`#${rep + 1} ${workload} ${s.name} c=${clients}: ${st.rps} req/s (errors ${st.errors})`);
        }
      }
    }
  }
  const steps: Array<Step & { samples: number[] }> = [];
  for (const [workload] of workloads) {
    for (const clients of CLIENTS) {
      for (const s of servers) {
        const mine = runs
          .filter((x) => x.workload === workload && x.clients === clients && x.server === s.name)
          .sort((a, b) => a.rps - b.rps);
        const median = mine[Math.floor(mine.length / 2)] as Step;
        steps.push({
          ...median,
          errors: mine.reduce((n, x) => n + x.errors, 0),
          samples: runs
            .filter((x) => x.workload === workload && x.clients === clients && x.server === s.name)
            .map((x) => x.rps),
        });
      }
    }
  }
  for (const s of servers) await stopServer(s);
  if (broker) await stopServer(broker);

  // Two ratios per row: of req/s (the headline), and of requests per CPU-second of the server
  // process, which holds better when other processes take CPU from the run.
  const ratios: Array<Record<string, number | string>> = [];
  const r3 = (x: number): number => Number(x.toFixed(3));
  for (const workload of ['get', 'lookup']) {
    for (const clients of CLIENTS) {
      const find = (server: string) =>
        steps.find((x) => x.workload === workload && x.clients === clients && x.server === server);
      const rps = (server: string): number => find(server)?.rps ?? Number.NaN;
      // the best run: the one least disturbed by other load on the machine
      const best = (server: string): number => Math.max(...(find(server)?.samples ?? [Number.NaN]));
      const perCpu = (server: string): number => {
        const st = find(server);
        return st?.serverCores ? st.rps / st.serverCores : Number.NaN;
      };
      ratios.push({
        workload,
        clients,
        registryRps: rps('registry'),
        vsNodeHttp: r3(rps('registry') / rps('node-http')),
        vsHono: r3(rps('registry') / rps('hono')),
        honoVsNodeHttp: r3(rps('hono') / rps('node-http')),
        registryPerCpuSecond: Math.round(perCpu('registry')),
        perCpuVsNodeHttp: r3(perCpu('registry') / perCpu('node-http')),
        perCpuVsHono: r3(perCpu('registry') / perCpu('hono')),
        registryBestRps: best('registry'),
        bestVsNodeHttp: r3(best('registry') / best('node-http')),
        bestVsHono: r3(best('registry') / best('hono')),
      });
    }
  }
  console.log(table(steps));
  console.log();
  console.log(
    '| workload | clients | registry req/s | registry / node:http | registry / Hono | Hono / node:http | registry req per CPU-s | per CPU-s: registry / node:http | per CPU-s: registry / Hono | registry best req/s | best: registry / node:http | best: registry / Hono |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of ratios) {
    console.log(
      `| ${r.workload} | ${r.clients} | ${r.registryRps.toLocaleString('en-US')} | ${r.vsNodeHttp} | ${r.vsHono} | ${r.honoVsNodeHttp} | ${r.registryPerCpuSecond.toLocaleString('en-US')} | ${r.perCpuVsNodeHttp} | ${r.perCpuVsHono} | ${r.registryBestRps.toLocaleString('en-US')} | ${r.bestVsNodeHttp} | ${r.bestVsHono} |`,
    );
  }
  const result = {
    when: new Date().toISOString(),
    machine: {
      cores: os.cpus().length,
      cpu: os.cpus()[0]?.model,
      memGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
    },
    options: {
      seconds: SECONDS,
      warmup: WARMUP,
      repeat: REPEAT,
      clients: CLIENTS,
      subjects: SUBJECTS,
      broker: opts.broker,
    },
    bodies: {
      getBytes: Buffer.byteLength(getRes.text),
      lookupRequestBytes: Buffer.byteLength(lookupBody),
      lookupResponseBytes: Buffer.byteLength(postText),
    },
    steps,
    ratios,
    runs,
    wallSeconds: Math.round((Date.now() - started) / 1000),
  };
  mkdirSync(join(REPO, 'bench/results'), { recursive: true });
  const out = join(REPO, 'bench/results', `registry-${result.when.replace(/[:.]/g, '-').slice(0, 19)}Z.json`);
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.error(`wrote ${out} (${result.wallSeconds} s)`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
