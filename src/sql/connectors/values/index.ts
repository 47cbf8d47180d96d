/**
 * `values`: a test source whose rows are written in the table's options, like Flink's test-only values
 * connector. `'data'` is a JSON array; each element is either an array of column values (partition 0, +I)
 * or `{"partition": 1, "kind": "-U", "row": [...]}`. Values are read as the `json` format reads them
 * (timestamps as `'2024-01-01 00:00:00.000'`). `'changelog-mode'` = `I` (default) or e.g. `I,UB,UA,D`;
 * `'partitions'` fixes the partition count (default: highest partition used + 1), so an empty partition
 * holds back the watermark unless `scan.watermark.idle-timeout` is set; `'bounded'` = false keeps it open.
 */
import type { ChangelogMode, Row, RowKind } from '../../runtime/changelog.ts';
import { fromJson } from '../../types/index.ts';
import { type ConnectorFactory, ConnectorOptionError, intOption, registerConnector } from '../connector.ts';

const KINDS: Record<string, RowKind> = { '+I': 0, '-U': 1, '+U': 2, '-D': 3 };

function parseMode(text: string): ChangelogMode {
  const parts = new Set(text.split(',').map((s) => s.trim().toUpperCase()));
  for (const p of parts)
    if (!['I', 'UB', 'UA', 'D'].includes(p))
      throw new ConnectorOptionError(`Could not parse value '${text}' for key 'changelog-mode'.`);
  return {
    insert: parts.has('I'),
    updateBefore: parts.has('UB'),
    updateAfter: parts.has('UA'),
    delete: parts.has('D'),
  };
}

const values: ConnectorFactory = {
  identifier: 'values',
  requiredOptions: [],
  optionalOptions: ['data', 'changelog-mode', 'partitions', 'bounded', 'scan.watermark.idle-timeout'],
  validate(info) {
    parseMode(info.options['changelog-mode'] ?? 'I');
  },
  source(info) {
    const fields = info.physical;
    let parsed: unknown;
    try {
      parsed = JSON.parse(info.options.data ?? '[]');
    } catch {
      throw new ConnectorOptionError(`Could not parse value of option 'data' as a JSON array.`);
    }
    if (!Array.isArray(parsed)) throw new ConnectorOptionError(`Option 'data' must be a JSON array.`);
    const rows: Array<{ p: number; kind: RowKind; row: Row }> = parsed.map((el, i) => {
      const o: { partition?: number; kind?: string; row?: unknown[] } = Array.isArray(el) ? { row: el } : el;
      const kind = KINDS[o.kind ?? '+I'];
      if (kind === undefined || !Array.isArray(o.row) || o.row.length !== fields.length)
        throw new ConnectorOptionError(
          `Row ${i + 1} of option 'data' does not match the table's ${fields.length} columns.`,
        );
      return { p: o.partition ?? 0, kind, row: fields.map((f, c) => fromJson((o.row as unknown[])[c], f.type)) };
    });
    const partitions = intOption(info.options, 'partitions') ?? Math.max(1, ...rows.map((r) => r.p + 1));
    const bounded = info.options.bounded !== 'false';
    return {
      changelogMode: parseMode(info.options['changelog-mode'] ?? 'I'),
      bounded,
      create: () => ({
        async run(out, signal) {
          out.setPartitions(partitions);
          for (const r of rows) {
            if (signal.aborted) return;
            out.emit(r.p, r.kind, r.row.slice());
          }
          await out.drain();
          if (!bounded) {
            await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
            return;
          }
          for (let p = 0; p < partitions; p++) out.endPartition(p);
        },
      }),
    };
  },
};

registerConnector(values);
