/**
 * The machine's own limits, for scale: sequential disk write (1 MiB writes
 * and one fsync) and loopback TCP (a Node socket pair across two processes,
 * and iperf3 when installed).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { DISK_MIB, LOOPBACK_S, MB } from './options.ts';
import { children, freePort, have, run, stopChild, syncDisks, waitQuiet, withTimeout } from './procs.ts';
import { log, results, round } from './stats.ts';

function diskWrite(dir: string): number {
  const path = join(dir, 'disk-write.bin');
  const buf = randomBytes(1 << 20);
  syncDisks();
  const fd = openSync(path, 'w');
  const start = performance.now();
  try {
    for (let i = 0; i < DISK_MIB; i++) writeSync(fd, buf, 0, buf.length);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  const seconds = (performance.now() - start) / 1000;
  unlinkSync(path);
  return round((DISK_MIB * (1 << 20)) / MB / seconds, 0);
}

const SINK = `
const net = require('node:net');
const srv = net.createServer({ allowHalfOpen: true }, (s) => {
  let total = 0;
  s.on('data', (d) => { total += d.length; });
  s.on('end', () => { s.end(String(total)); srv.close(); });
});
srv.listen(0, '127.0.0.1', () => process.stdout.write(srv.address().port + '\\n'));
`;

/** One Node process writes 1 MiB buffers to another over loopback for LOOPBACK_S seconds. */
async function loopbackNode(): Promise<number> {
  const sink = spawn(process.execPath, ['-e', SINK], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(sink);
  try {
    const port = await withTimeout(
      new Promise<number>((resolve, reject) => {
        let out = '';
        sink.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) resolve(Number(out.trim()));
        });
        sink.once('exit', () => reject(new Error('loopback sink exited early')));
      }),
      10_000,
      'loopback sink start',
    );
    const socket = connect({ port, host: '127.0.0.1', noDelay: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const buf = randomBytes(1 << 20);
    let sent = 0;
    const start = performance.now();
    const end = start + LOOPBACK_S * 1000;
    while (performance.now() < end) {
      sent += buf.length;
      if (!socket.write(buf)) await new Promise((r) => socket.once('drain', r));
    }
    const reply = new Promise<string>((resolve, reject) => {
      let s = '';
      socket.on('data', (d: Buffer) => {
        s += d.toString();
      });
      socket.once('end', () => resolve(s));
      socket.once('error', reject);
    });
    socket.end();
    const received = Number(await withTimeout(reply, 30_000, 'loopback sink reply'));
    const seconds = (performance.now() - start) / 1000;
    socket.destroy();
    if (received !== sent) throw new Error(`loopback: sent ${sent} bytes, the sink received ${received}`);
    return round(sent / 1e9 / seconds, 2);
  } finally {
    await stopChild(sink, 2000);
  }
}

async function loopbackIperf3(): Promise<number> {
  const port = await freePort();
  const server = spawn('iperf3', ['-s', '-1', '--forceflush', '-B', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(server);
  try {
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        let out = '';
        server.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('listening')) resolve();
        });
        server.once('exit', () => reject(new Error('iperf3 server exited early')));
        server.once('error', reject);
      }),
      10_000,
      'iperf3 server start',
    );
    const r = await run('iperf3', ['-c', '127.0.0.1', '-p', String(port), '-t', String(LOOPBACK_S), '-J'], {
      timeoutMs: LOOPBACK_S * 1000 + 30_000,
    });
    if (r.code !== 0) throw new Error(`iperf3 client failed (${r.code}): ${r.stderr || r.stdout.slice(0, 500)}`);
    const j = JSON.parse(r.stdout) as { end: { sum_received: { bits_per_second: number } } };
    return round(j.end.sum_received.bits_per_second / 8 / 1e9, 2);
  } finally {
    await stopChild(server, 2000);
  }
}

/** Measures the disk write and loopback TCP into `results.limits`; `work` is a temp dir on the broker's filesystem. */
export async function measureLimits(work: string): Promise<void> {
  log(`disk: sequential write of ${DISK_MIB} MiB in 1 MiB writes + fsync`);
  await waitQuiet('disk write');
  results.limits.diskWriteMBps = diskWrite(work);
  log(`  ${results.limits.diskWriteMBps} MB/s`);
  log(`loopback TCP: Node socket pair across two processes, ${LOOPBACK_S} s`);
  await waitQuiet('loopback TCP (Node)');
  results.limits.loopbackNodeGBps = await loopbackNode();
  log(`  ${results.limits.loopbackNodeGBps} GB/s`);
  if (have('iperf3')) {
    log(`loopback TCP: iperf3, ${LOOPBACK_S} s`);
    await waitQuiet('loopback TCP (iperf3)');
    results.limits.loopbackIperf3GBps = await loopbackIperf3();
    log(`  ${results.limits.loopbackIperf3GBps} GB/s`);
  } else {
    results.limits.notes.push('iperf3 not installed: loopback measured with Node only');
  }
}
