/**
 * Flink's `print` sink: every row as Flink prints `Row.toString()` — `+I[1, foo, null]`, timestamps as
 * `2024-01-01T10:00` (see ../../runtime/java-format.ts) — with `print-identifier` as `id> +I[...]`, to the
 * session's output; accepts every row kind.
 */
import { formatRowJava } from '../../runtime/java-format.ts';
import { type ConnectorFactory, registerConnector } from '../connector.ts';

const print: ConnectorFactory = {
  identifier: 'print',
  requiredOptions: [],
  optionalOptions: ['print-identifier', 'standard-error', 'sink.parallelism'],
  sink(info, env) {
    const ident = info.options['print-identifier'];
    const stderr = info.options['standard-error'] === 'true';
    const fields = info.columns.map((c) => ({ name: c.name, type: c.type }));
    return {
      accepts: 'all',
      create: () => ({
        write(kind, row) {
          const line = formatRowJava(kind, row, fields);
          env.print(ident ? `${ident}> ${line}` : line, stderr);
        },
        flush: async () => {},
        close: async () => {},
      }),
    };
  },
};

registerConnector(print);
