/**
 * `tributary topic consume TOPIC`: prints records, like `kcat -C` and
 * kafka-console-consumer.
 *
 * - `--from beginning|end|OFFSET|-N|@TIMESTAMP` (alias `--offset`): where to
 *   start on every partition (default: beginning; with --group, the group's
 *   committed offsets, else the beginning).
 * - `-n/--num COUNT` exits after COUNT records; `-e/--exit` exits at the end
 *   of the partitions (their log end offsets when consuming started).
 * - `--group G` consumes as a member of group G and commits what it printed.
 * - `--partition N` (repeatable) reads only those partitions (not with --group).
 * - `--format`: `json` prints one JSON object per line (topic, partition,
 *   offset, timestamp, key, value, headers); anything else is a kcat-style
 *   template (see FORMAT_HELP), default '%v\n'.
 * - `--schema` / `--key-schema` decode values / keys with the schema registry
 *   (Confluent wire format; READ rules and migrations run) and print them as
 *   JSON; with `--format json` they are embedded as JSON values. A record
 *   that does not decode is printed raw, with a warning on stderr.
 */
import { Command, Option } from 'commander';
import type { Admin, TopicPartition } from '../../client/admin/index.ts';
import { Consumer, type ConsumerRecord } from '../../client/consumer/index.ts';
import type { Cluster } from '../../client/index.ts';
import { type ConnectionFlags, connectionFlags, withConnectionOptions } from '../common/connection.ts';
import { CliError, UsageError } from '../common/errors.ts';
import { intArg, type Position, positionArg } from '../common/parse.ts';
import { resolvePositions } from '../common/positions.ts';
import { run, withSession } from '../common/run.ts';
import { type ConsumeSchemaFlags, consumeDecoders, type Decoder, withConsumeSchemaOptions } from '../common/serde.ts';

/** The template placeholders, for --help and the README. */
export const FORMAT_HELP = [
  "'json' for one JSON object per line, or a template with:",
  '%t topic, %p partition, %o offset, %T timestamp (ms), %k key, %v value (also %s),',
  '%K key length, %S value length, %h headers (k=v,k2=v2), %% a percent sign;',
  'escapes \\n \\t \\r \\\\',
].join(' ');

interface ConsumeFlags extends ConnectionFlags, ConsumeSchemaFlags {
  from?: Position;
  offset?: Position;
  num?: number;
  group?: string;
  partition?: number[];
  format: string;
  exit?: boolean;
  isolation: 'read_uncommitted' | 'read_committed';
}

/** A record as printed: key and value may have been decoded to JSON text. */
type Printed = ConsumerRecord & { decodedKey?: boolean; decodedValue?: boolean };
type Render = (r: Printed) => string;

const text = (b: Buffer | null): string => (b === null ? '' : b.toString('utf8'));

/** Compiles a kcat-style template into a function of a record. */
export function compileTemplate(template: string): Render {
  const parts: Array<string | Render> = [];
  let lit = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i] as string;
    const next = template[i + 1];
    if (c === '\\' && next !== undefined) {
      const esc: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\' };
      if (esc[next] !== undefined) {
        lit += esc[next];
        i++;
        continue;
      }
    }
    if (c === '%' && next !== undefined) {
      const fields: Record<string, Render> = {
        t: (r) => r.topic,
        p: (r) => String(r.partition),
        o: (r) => r.offset.toString(),
        T: (r) => r.timestamp.toString(),
        k: (r) => text(r.key),
        v: (r) => text(r.value),
        s: (r) => text(r.value),
        K: (r) => String(r.key?.length ?? -1),
        S: (r) => String(r.value?.length ?? -1),
        h: (r) => r.headers.map((h) => `${h.key}=${text(h.value)}`).join(','),
      };
      if (next === '%') {
        lit += '%';
        i++;
        continue;
      }
      const f = fields[next];
      if (!f) throw new UsageError(`--format: unknown placeholder %${next}; ${FORMAT_HELP}`);
      if (lit) parts.push(lit);
      lit = '';
      parts.push(f);
      i++;
      continue;
    }
    lit += c;
  }
  if (lit) parts.push(lit);
  return (r) => parts.map((p) => (typeof p === 'string' ? p : p(r))).join('');
}

/** A key or value for --format json: decoded ones are embedded as JSON values. */
function jsonField(b: Buffer | null, decoded: boolean | undefined): unknown {
  if (b === null) return null;
  return decoded ? JSON.parse(b.toString('utf8')) : b.toString('utf8');
}

/** One JSON object per line. */
function renderJson(r: Printed): string {
  return `${JSON.stringify({
    topic: r.topic,
    partition: r.partition,
    offset: Number(r.offset),
    timestamp: Number(r.timestamp),
    key: jsonField(r.key, r.decodedKey),
    value: jsonField(r.value, r.decodedValue),
    headers: r.headers.map((h) => ({ key: h.key, value: h.value === null ? null : h.value.toString('utf8') })),
  })}\n`;
}

function write(chunk: string): Promise<void> {
  if (process.stdout.write(chunk)) return Promise.resolve();
  return new Promise((resolve) => process.stdout.once('drain', () => resolve()));
}

const key = (tp: TopicPartition): string => `${tp.topic}\u0000${tp.partition}`;

/** Builds `topic consume`. */
export function consumeCommand(): Command {
  return withConnectionOptions(
    withConsumeSchemaOptions(new Command('consume'))
      .description('print records; Ctrl-C, -n or -e to stop')
      .argument('<topic>', 'topic name')
      .option('--from <position>', 'beginning, end, OFFSET, -N (N before the end) or @TIMESTAMP (ms)', positionArg)
      .addOption(new Option('-o, --offset <position>', 'alias of --from').argParser(positionArg))
      .option('-n, --num <count>', 'exit after this many records', intArg(1))
      .option('-e, --exit', 'exit at the end of the partitions (their end when consuming started)')
      .option('-g, --group <group>', 'consume as a member of this group, committing what was printed')
      .option(
        '--partition <n>',
        'only this partition (repeatable; not with --group)',
        (v: string, prev: number[] = []) => [...prev, intArg(0)(v)],
      )
      .addOption(new Option('--format <format>', FORMAT_HELP).default('%v\\n', "'%v\\n'"))
      .addOption(
        new Option('--isolation <level>', 'read_committed skips aborted transactions')
          .choices(['read_uncommitted', 'read_committed'])
          .default('read_uncommitted'),
      ),
    { format: false },
  ).action(
    run(async (topic: string, flags: ConsumeFlags) => {
      const render = flags.format === 'json' ? renderJson : compileTemplate(flags.format);
      if (flags.group !== undefined && flags.partition) {
        throw new UsageError('--partition cannot be used with --group: the group assigns the partitions');
      }
      if (flags.from && flags.offset) throw new UsageError('give --from or --offset, not both');
      const from = flags.from ?? flags.offset;
      const decoders = consumeDecoders(flags);
      return withSession(connectionFlags(flags), (s) =>
        consume(s.admin, s.cluster, topic, flags, from, render, decoders),
      );
    }),
  );
}

/** Decodes a record's key and value where asked; a failure leaves the bytes and warns on stderr. */
async function decode(r: ConsumerRecord, decoders: { key: Decoder | null; value: Decoder | null }): Promise<Printed> {
  const out: Printed = { ...r };
  const one = async (which: 'key' | 'value', d: Decoder | null): Promise<void> => {
    const bytes = r[which];
    if (!d || bytes === null) return;
    try {
      out[which] = Buffer.from(await d(r.topic, bytes), 'utf8');
      if (which === 'key') out.decodedKey = true;
      else out.decodedValue = true;
    } catch (err) {
      process.stderr.write(
        `warning: ${r.topic}/${r.partition}@${r.offset}: ${which} not decoded (${(err as Error).message}); printed as is\n`,
      );
    }
  };
  await one('key', decoders.key);
  await one('value', decoders.value);
  return out;
}

async function consume(
  admin: Admin,
  cluster: Cluster,
  topic: string,
  flags: ConsumeFlags,
  from: Position | undefined,
  render: Render,
  decoders: { key: Decoder | null; value: Decoder | null },
): Promise<number> {
  const [described] = await admin.describeTopics([topic]);
  const all = (described?.partitions ?? []).map((p) => ({ topic, partition: p.partition }));
  const wanted = flags.partition ? all.filter((tp) => flags.partition?.includes(tp.partition)) : all;
  const missing = (flags.partition ?? []).filter((p) => !all.some((tp) => tp.partition === p));
  if (missing.length > 0)
    throw new CliError(`topic ${topic} has no partition ${missing.join(', ')} (it has ${all.length})`);

  // -e: where each partition ends now; a partition is done once consumed up to there.
  const ends = new Map<string, bigint>();
  if (flags.exit) {
    const latest = await admin.listOffsets(
      wanted.map((tp) => ({ ...tp, at: 'latest' })),
      {
        isolationLevel: flags.isolation,
      },
    );
    for (const o of latest) ends.set(key(o), o.offset);
  }

  const grouped = flags.group !== undefined;
  const start = grouped ? null : await resolvePositions(admin, wanted, from ?? { kind: 'beginning' });
  const seeked = new Set<string>();
  const consumer: Consumer = new Consumer(cluster, {
    ...(grouped && { groupId: flags.group }),
    autoCommit: false,
    autoOffsetReset: from?.kind === 'end' ? 'latest' : 'earliest',
    isolationLevel: flags.isolation,
    maxWaitMs: 200,
    // An explicit --from moves a group member's start once per partition.
    onPartitionsAssigned: async (tps) => {
      if (!from) return;
      const fresh = tps.filter((tp) => !seeked.has(key(tp)));
      for (const o of await resolvePositions(admin, fresh, from)) {
        seeked.add(key(o));
        consumer.seek(o, o.offset);
      }
    },
  });

  let stop = false;
  const onSignal = (): void => {
    stop = true;
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const printed = new Map<string, { topic: string; partition: number; offset: bigint }>();
  let committedAt = Date.now();
  const commit = async (): Promise<void> => {
    if (!grouped || printed.size === 0) return;
    await consumer.commit([...printed.values()].map((o) => ({ ...o, offset: o.offset + 1n })));
    committedAt = Date.now();
  };
  const startOf = new Map((start ?? []).map((o) => [key(o), o.offset]));
  const done = (tp: TopicPartition): boolean => {
    const end = ends.get(key(tp));
    if (end === undefined) return false;
    const last = printed.get(key(tp));
    const position = consumer.position(tp) ?? (last ? last.offset + 1n : startOf.get(key(tp)));
    return position !== undefined && position >= end;
  };
  const allDone = (): boolean => wanted.every(done);

  let count = 0;
  try {
    if (grouped) consumer.subscribe([topic]);
    else consumer.assign((start ?? []).map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset })));
    while (!stop) {
      if (flags.exit && !grouped && allDone()) break;
      const records = await consumer.poll(250);
      let out = '';
      for (const r of records) {
        if (flags.num !== undefined && count >= flags.num) break;
        const end = ends.get(key(r));
        if (flags.exit && end !== undefined && r.offset >= end) continue;
        out += render(decoders.key || decoders.value ? await decode(r, decoders) : r);
        printed.set(key(r), { topic: r.topic, partition: r.partition, offset: r.offset });
        count++;
      }
      if (out) await write(out);
      if (flags.num !== undefined && count >= flags.num) break;
      if (flags.exit && grouped && consumer.assignment().length > 0 && consumer.assignment().every(done)) break;
      if (grouped && Date.now() - committedAt > 5000) await commit();
    }
    await commit();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await consumer.close().catch(() => undefined);
  }
  return 0;
}
