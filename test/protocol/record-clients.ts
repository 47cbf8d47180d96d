/**
 * Test helpers that build and read record batches with real clients:
 * kafkajs (its own record-batch encoder/decoder, imported from its sources)
 * and kafka-python (run in a subprocess with Debian's python3).
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

// ---- kafkajs -------------------------------------------------------------

interface KjsEncoder {
  buffer: Buffer;
}
type KjsRecordFn = (r: {
  offsetDelta: number;
  timestampDelta: number;
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, Buffer | string | Array<Buffer | string>>;
}) => KjsEncoder;
type KjsRecordBatchFn = (o: {
  compression?: number;
  records: KjsEncoder[];
  firstTimestamp: number;
  maxTimestamp: number;
  partitionLeaderEpoch?: number;
  lastOffsetDelta: number;
  transactional?: boolean;
  producerId?: unknown;
  producerEpoch?: number;
  firstSequence?: number;
}) => Promise<KjsEncoder>;

/** A record as kafkajs's decoder returns it. */
export interface KjsDecodedRecord {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | null | Array<Buffer | null>>;
}

/** A batch as kafkajs's decoder returns it. */
export interface KjsDecodedBatch {
  firstOffset: string;
  firstTimestamp: string;
  maxTimestamp: string;
  producerId: string;
  producerEpoch: number;
  firstSequence: number;
  inTransaction: boolean;
  isControlBatch: boolean;
  lastOffsetDelta: number;
  records: KjsDecodedRecord[];
}

const kjsRecord = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as KjsRecordFn;
const { RecordBatch: kjsRecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as {
  RecordBatch: KjsRecordBatchFn;
};
const kjsDecodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (
  d: unknown,
) => Promise<KjsDecodedBatch>;
const KjsDecoder = require('kafkajs/src/protocol/decoder.js') as new (buf: Buffer) => unknown;
const KjsLong = require('kafkajs/src/utils/long.js') as { fromValue(v: number | string): unknown };

/** A message the way kafkajs's producer takes it. */
export interface KjsMessage {
  key: Buffer | string | null;
  value: Buffer | string | null;
  timestamp: number;
  headers?: Record<string, Buffer | string | Array<Buffer | string>>;
}

/**
 * Builds a batch exactly as kafkajs's Produce v3 request encoder does (see
 * kafkajs/src/protocol/requests/produce/v3/request.js): firstTimestamp is the
 * smallest timestamp, offsetDelta the index.
 */
export async function kafkajsEncodeBatch(
  messages: KjsMessage[],
  opts: {
    compression?: number;
    producerId?: number;
    producerEpoch?: number;
    firstSequence?: number;
    transactional?: boolean;
  } = {},
): Promise<Buffer> {
  const sorted = messages.map((m) => m.timestamp).sort((a, b) => a - b);
  const first = sorted[0]!;
  const records = messages.map((m, i) =>
    kjsRecord({ key: m.key, value: m.value, headers: m.headers, offsetDelta: i, timestampDelta: m.timestamp - first }),
  );
  const batch = await kjsRecordBatch({
    compression: opts.compression ?? 0,
    records,
    firstTimestamp: first,
    maxTimestamp: sorted[sorted.length - 1]!,
    lastOffsetDelta: records.length - 1,
    transactional: opts.transactional ?? false,
    producerId: KjsLong.fromValue(opts.producerId ?? -1),
    producerEpoch: opts.producerEpoch ?? 0,
    firstSequence: opts.firstSequence ?? 0,
  });
  return batch.buffer;
}

/** Decodes one batch with kafkajs's record-batch decoder (gzip or none only). */
export function kafkajsDecodeBatch(buf: Buffer): Promise<KjsDecodedBatch> {
  return kjsDecodeBatch(new KjsDecoder(buf));
}

// ---- kafka-python --------------------------------------------------------

/** Debian's interpreter, where python3-kafka and the codec packages live. */
export const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./kafka-python-records.py', import.meta.url));

/** Codec id → Kafka name, as kafka-python's `codecs` op reports them. */
export const PY_CODEC_NAMES: Record<number, 'gzip' | 'snappy' | 'lz4' | 'zstd'> = {
  1: 'gzip',
  2: 'snappy',
  3: 'lz4',
  4: 'zstd',
};

/** Runs operations in one kafka-python subprocess; throws on any failed op. */
export function runKafkaPython(ops: object[]): Array<Record<string, unknown>> {
  const r = spawnSync(PYTHON, [SCRIPT], { input: JSON.stringify(ops), maxBuffer: 512 * 1024 * 1024 });
  if (r.error) throw new Error(`cannot run ${PYTHON}: ${r.error.message} (install python3 and python3-kafka)`);
  if (r.status !== 0) throw new Error(`kafka-python helper failed (install python3-kafka?):\n${r.stderr}`);
  const results = JSON.parse(r.stdout.toString()) as Array<{ ok?: Record<string, unknown>; error?: string }>;
  return results.map((res, i) => {
    if (res.error !== undefined) throw new Error(`kafka-python op ${i} failed: ${res.error}`);
    return res.ok!;
  });
}

/** Which codecs kafka-python can use here, and the Debian package each needs. */
export function kafkaPythonCodecs(): { available: Record<string, boolean>; debianPackages: Record<string, string> } {
  const [res] = runKafkaPython([{ op: 'codecs' }]);
  return {
    available: res!.available as Record<string, boolean>,
    debianPackages: res!.debian_packages as Record<string, string>,
  };
}

/** Skip message for a codec whose python module is missing, or undefined if it is present. */
export function requirePythonCodec(codec: number): void {
  const name = PY_CODEC_NAMES[codec];
  if (!name) return;
  const { available, debianPackages } = cachedCodecs();
  // .ci/run installs these; a missing one is a failure, not a skip
  if (!available[name]) throw new Error(`kafka-python has no ${name} module: apt-get install ${debianPackages[name]}`);
}

let codecsCache: ReturnType<typeof kafkaPythonCodecs> | undefined;
function cachedCodecs(): ReturnType<typeof kafkaPythonCodecs> {
  codecsCache ??= kafkaPythonCodecs();
  return codecsCache;
}

export const b64 = (b: Uint8Array | null | undefined): string | null =>
  b == null ? null : Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
export const unb64 = (s: unknown): Buffer | null => (s == null ? null : Buffer.from(s as string, 'base64'));
