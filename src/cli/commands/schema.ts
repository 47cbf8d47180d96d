/**
 * `tributary schema register|get|list|check|delete|config`: the schema
 * registry's subjects, versions and compatibility over its REST API (like
 * Confluent's `schema-registry` and rpk's `registry` commands).
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { UsageError } from '../common/errors.ts';
import { emit, type OutputFormat, outputFormat, pairs, table } from '../common/output.ts';
import { intArg } from '../common/parse.ts';
import {
  RegistryClient,
  RegistryError,
  type RegistryFlags,
  resolveRegistryUrl,
  withRegistryOptions,
} from '../common/registry.ts';
import { run } from '../common/run.ts';

type SchemaType = 'AVRO' | 'JSON' | 'PROTOBUF';
const TYPES: readonly SchemaType[] = ['AVRO', 'JSON', 'PROTOBUF'];
const EXTENSIONS: Record<string, SchemaType> = { '.avsc': 'AVRO', '.json': 'JSON', '.proto': 'PROTOBUF' };
const LEVELS = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
] as const;

interface Reference {
  name: string;
  subject: string;
  version: number;
}

/** A schema as the registry answers it (schemaType left out for AVRO). */
interface SchemaAnswer {
  subject?: string;
  version?: number;
  id?: number;
  schemaType?: SchemaType;
  schema: string;
  references?: Reference[];
}

function open(flags: RegistryFlags): { client: RegistryClient; format: OutputFormat } {
  const format = outputFormat(flags.format);
  return { client: new RegistryClient(resolveRegistryUrl(flags.registryUrl)), format };
}

const enc = encodeURIComponent;

/** --version: a version number or latest. */
function versionArg(value: string): number | 'latest' {
  if (value === 'latest' || value === '-1') return 'latest';
  return intArg(1)(value);
}

function typeArg(value: string): SchemaType {
  const up = value.toUpperCase() as SchemaType;
  if (!TYPES.includes(up)) throw new InvalidArgumentError(`expected one of ${TYPES.join(', ')}`);
  return up;
}

function levelArg(value: string): string {
  const up = value.toUpperCase();
  if (!(LEVELS as readonly string[]).includes(up))
    throw new InvalidArgumentError(`expected one of ${LEVELS.join(', ')}`);
  return up;
}

/** --reference name=subject:version (repeatable); the subject may hold colons (contexts), the version is after the last. */
function referenceArg(value: string, previous: Reference[] = []): Reference[] {
  const eq = value.indexOf('=');
  const colon = value.lastIndexOf(':');
  if (eq <= 0 || colon <= eq + 1 || !/^\d+$/.test(value.slice(colon + 1))) {
    throw new InvalidArgumentError(`expected name=subject:version, got "${value}"`);
  }
  const version = Number(value.slice(colon + 1));
  if (version < 1) throw new InvalidArgumentError(`the version in "${value}" must be >= 1`);
  return [...previous, { name: value.slice(0, eq), subject: value.slice(eq + 1, colon), version }];
}

/** The schema file's text and type (from --type, else the file's extension). */
function readSchema(file: string, type: SchemaType | undefined): { schema: string; schemaType: SchemaType } {
  const schemaType = type ?? EXTENSIONS[extname(file).toLowerCase()];
  if (!schemaType) {
    throw new UsageError(`cannot tell the schema type of ${file} from its extension; pass --type AVRO|JSON|PROTOBUF`);
  }
  let schema: string;
  try {
    schema = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read the schema file ${file} (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  if (schema.trim() === '') throw new UsageError(`the schema file ${file} is empty`);
  return { schema, schemaType };
}

/** The schema text for people: indented JSON for AVRO and JSON schemas, as stored otherwise. */
function pretty(schema: string, type: SchemaType): string {
  let text = schema;
  if (type !== 'PROTOBUF') {
    try {
      text = JSON.stringify(JSON.parse(schema), null, 2);
    } catch {
      // not JSON after all: print it as it is
    }
  }
  return text.endsWith('\n') ? text : `${text}\n`;
}

function refText(refs: Reference[] | undefined): string | undefined {
  return refs && refs.length > 0 ? refs.map((r) => `${r.name}=${r.subject}:${r.version}`).join(', ') : undefined;
}

interface RegisterFlags extends RegistryFlags {
  schemaFile: string;
  type?: SchemaType;
  reference?: Reference[];
  normalize?: boolean;
}

function registerCommand(): Command {
  return withRegistryOptions(
    new Command('register')
      .description('register a schema under a subject (prints its id and version)')
      .argument('<subject>', 'subject, e.g. orders-value')
      .requiredOption('-f, --schema-file <file>', 'the schema (.avsc, .json or .proto)')
      .option('-t, --type <type>', 'AVRO, JSON or PROTOBUF (default: from the file extension)', typeArg)
      .option('--reference <name=subject:version>', 'a schema reference (repeatable)', referenceArg)
      .option('--normalize', 'normalize the schema before looking it up and storing it'),
  ).action(
    run(async (subject: string, flags: RegisterFlags) => {
      const { client, format } = open(flags);
      const { schema, schemaType } = readSchema(flags.schemaFile, flags.type);
      const answer = await client.request<{ id: number; version?: number }>(
        'POST',
        `/subjects/${enc(subject)}/versions`,
        {
          query: { normalize: flags.normalize === true },
          body: { schema, schemaType, ...(flags.reference && { references: flags.reference }) },
        },
      );
      let version = answer.version;
      if (version === undefined) {
        // Confluent answers only the id: find the version with a lookup
        const found = await client.request<SchemaAnswer>('POST', `/subjects/${enc(subject)}`, {
          query: { normalize: flags.normalize === true },
          body: { schema, schemaType, ...(flags.reference && { references: flags.reference }) },
        });
        version = found.version;
      }
      const out = { subject, version, id: answer.id, type: schemaType };
      emit(format, out, (o) => table(['SUBJECT', 'VERSION', 'ID', 'TYPE'], [[o.subject, o.version, o.id, o.type]]));
      return 0;
    }),
  );
}

interface GetFlags extends RegistryFlags {
  version?: number | 'latest';
  id?: number;
  deleted?: boolean;
}

function getCommand(): Command {
  return withRegistryOptions(
    new Command('get')
      .description('show a schema: a subject version (default latest) or the schema with an id')
      .argument('[subject]', 'subject, e.g. orders-value')
      .option('-v, --version <n>', 'version number or latest (default latest)', versionArg)
      .option('--id <id>', 'the schema id instead of a subject', intArg(0))
      .option('--deleted', 'also find soft-deleted versions'),
  ).action(
    run(async (subject: string | undefined, flags: GetFlags) => {
      if (subject !== undefined && flags.id !== undefined) throw new UsageError('give a subject or --id, not both');
      if (subject === undefined && flags.id === undefined) throw new UsageError('give a subject or --id ID');
      if (flags.id !== undefined && flags.version !== undefined) {
        throw new UsageError('--version goes with a subject, not with --id');
      }
      const { client, format } = open(flags);
      if (subject !== undefined) {
        const v = await client.request<SchemaAnswer>(
          'GET',
          `/subjects/${enc(subject)}/versions/${flags.version ?? 'latest'}`,
          { query: { deleted: flags.deleted === true } },
        );
        const type = v.schemaType ?? 'AVRO';
        const out = {
          subject: v.subject,
          version: v.version,
          id: v.id,
          type,
          schema: v.schema,
          references: v.references ?? [],
        };
        emit(format, out, (o) => {
          const rows: Array<[string, string | number | undefined]> = [
            ['SUBJECT', o.subject],
            ['VERSION', o.version],
            ['ID', o.id],
            ['TYPE', o.type],
          ];
          const refs = refText(o.references);
          if (refs) rows.push(['REFERENCES', refs]);
          return `${pairs(rows)}\n${pretty(o.schema, type)}`;
        });
        return 0;
      }
      const id = flags.id as number;
      const [s, usedBy] = await Promise.all([
        client.request<SchemaAnswer>('GET', `/schemas/ids/${id}`),
        client.request<Array<{ subject: string; version: number }>>('GET', `/schemas/ids/${id}/versions`, {
          query: { deleted: flags.deleted === true },
        }),
      ]);
      const type = s.schemaType ?? 'AVRO';
      const out = { id, type, subjects: usedBy, schema: s.schema, references: s.references ?? [] };
      emit(format, out, (o) => {
        const rows: Array<[string, string | number | undefined]> = [
          ['ID', o.id],
          ['TYPE', o.type],
          ['SUBJECTS', o.subjects.map((u) => `${u.subject}:${u.version}`).join(', ')],
        ];
        const refs = refText(o.references);
        if (refs) rows.push(['REFERENCES', refs]);
        return `${pairs(rows)}\n${pretty(o.schema, type)}`;
      });
      return 0;
    }),
  );
}

interface ListFlags extends RegistryFlags {
  deleted?: boolean;
  prefix?: string;
}

function listCommand(): Command {
  return withRegistryOptions(
    new Command('list')
      .alias('ls')
      .description('list subjects with their latest version, id and type')
      .option('--deleted', 'include soft-deleted subjects')
      .option('--prefix <prefix>', 'only subjects starting with this'),
  ).action(
    run(async (flags: ListFlags) => {
      const { client, format } = open(flags);
      const deleted = flags.deleted === true;
      const prefix = flags.prefix;
      const [subjects, latest, live] = await Promise.all([
        client.request<string[]>('GET', '/subjects', { query: { deleted, subjectPrefix: prefix } }),
        client.request<SchemaAnswer[]>('GET', '/schemas', {
          query: { deleted, latestOnly: true, subjectPrefix: prefix },
        }),
        deleted ? client.request<string[]>('GET', '/subjects', { query: { subjectPrefix: prefix } }) : null,
      ]);
      const bySubject = new Map(latest.map((s) => [s.subject, s]));
      const liveSet = live ? new Set(live) : null;
      const out = subjects.map((subject) => {
        const s = bySubject.get(subject);
        return {
          subject,
          version: s?.version ?? null,
          id: s?.id ?? null,
          type: s ? (s.schemaType ?? 'AVRO') : null,
          ...(liveSet && { deleted: !liveSet.has(subject) }),
        };
      });
      emit(format, out, (rows) =>
        liveSet
          ? table(
              ['SUBJECT', 'VERSION', 'ID', 'TYPE', 'DELETED'],
              rows.map((r) => [r.subject, r.version, r.id, r.type, r.deleted ? 'yes' : 'no']),
            )
          : table(
              ['SUBJECT', 'VERSION', 'ID', 'TYPE'],
              rows.map((r) => [r.subject, r.version, r.id, r.type]),
            ),
      );
      return 0;
    }),
  );
}

interface CheckFlags extends RegistryFlags {
  schemaFile: string;
  type?: SchemaType;
  reference?: Reference[];
  version?: number | 'latest' | 'all';
  verbose?: boolean;
  normalize?: boolean;
}

function checkCommand(): Command {
  return withRegistryOptions(
    new Command('check')
      .description('check a schema against a subject version; exit 0 when compatible, 1 when not')
      .argument('<subject>', 'subject, e.g. orders-value')
      .requiredOption('-f, --schema-file <file>', 'the schema to check (.avsc, .json or .proto)')
      .option('-t, --type <type>', 'AVRO, JSON or PROTOBUF (default: from the file extension)', typeArg)
      .option('--reference <name=subject:version>', 'a schema reference (repeatable)', referenceArg)
      .option(
        '-v, --version <n>',
        'version to check against: a number, latest (default), or all (every version the level requires)',
        (v: string) => (v === 'all' ? 'all' : versionArg(v)),
      )
      .option('--verbose', 'print why the schema is incompatible')
      .option('--normalize', 'normalize the schema first'),
  ).action(
    run(async (subject: string, flags: CheckFlags) => {
      const { client, format } = open(flags);
      const { schema, schemaType } = readSchema(flags.schemaFile, flags.type);
      const against = flags.version ?? 'latest';
      const path =
        against === 'all'
          ? `/compatibility/subjects/${enc(subject)}/versions`
          : `/compatibility/subjects/${enc(subject)}/versions/${against}`;
      const answer = await client.request<{ is_compatible: boolean; messages?: string[] }>('POST', path, {
        query: { verbose: true, normalize: flags.normalize === true },
        body: { schema, schemaType, ...(flags.reference && { references: flags.reference }) },
      });
      const messages = answer.messages ?? [];
      const out = { subject, version: against, compatible: answer.is_compatible, messages };
      emit(format, out, (o) => {
        if (o.compatible) return 'compatible\n';
        if (!flags.verbose || o.messages.length === 0) return 'incompatible\n';
        return `incompatible\n${o.messages.map((m) => `  ${m.replace(/\s*\n\s*/g, ' ')}\n`).join('')}`;
      });
      return answer.is_compatible ? 0 : 1;
    }),
  );
}

interface DeleteFlags extends RegistryFlags {
  version?: number | 'latest';
  permanent?: boolean;
}

function deleteCommand(): Command {
  return withRegistryOptions(
    new Command('delete')
      .description('delete a subject or one version: soft first, then --permanent')
      .argument('<subject>', 'subject, e.g. orders-value')
      .option('-v, --version <n>', 'only this version (a number or latest)', versionArg)
      .option('--permanent', 'hard-delete what was soft-deleted (cannot be undone)'),
  ).action(
    run(async (subject: string, flags: DeleteFlags) => {
      const { client, format } = open(flags);
      const permanent = flags.permanent === true;
      const query = { permanent };
      const versions =
        flags.version === undefined
          ? await client.request<number[]>('DELETE', `/subjects/${enc(subject)}`, { query })
          : [await client.request<number>('DELETE', `/subjects/${enc(subject)}/versions/${flags.version}`, { query })];
      const out = { subject, versions, permanent };
      emit(format, out, (o) => {
        const what = o.versions.length === 1 ? `version ${o.versions[0]}` : `versions ${o.versions.join(', ')}`;
        return `${o.permanent ? 'permanently deleted' : 'soft-deleted'} ${o.subject} ${what}\n`;
      });
      return 0;
    }),
  );
}

interface ConfigFlags extends RegistryFlags {
  setCompatibility?: string;
  delete?: boolean;
}

function configCommand(): Command {
  return withRegistryOptions(
    new Command('config')
      .description("show or set the compatibility level, global or a subject's")
      .argument('[subject]', 'subject (default: the global config)')
      .option('--set-compatibility <level>', `set the level: ${LEVELS.join(', ')}`, levelArg)
      .option('--delete', "remove the subject's own level (or reset the global one) and show the old one"),
  ).action(
    run(async (subject: string | undefined, flags: ConfigFlags) => {
      if (flags.setCompatibility !== undefined && flags.delete) {
        throw new UsageError('give --set-compatibility or --delete, not both');
      }
      const { client, format } = open(flags);
      const path = subject === undefined ? '/config' : `/config/${enc(subject)}`;
      const scope = subject ?? '(global)';
      const render = (o: { subject: string; compatibility: string | null; source: string }) =>
        pairs([
          ['SUBJECT', o.subject],
          ['COMPATIBILITY', o.compatibility],
          ['SOURCE', o.source],
        ]);
      if (flags.setCompatibility !== undefined) {
        const answer = await client.request<{ compatibility?: string }>('PUT', path, {
          body: { compatibility: flags.setCompatibility },
        });
        const out = {
          subject: scope,
          compatibility: answer.compatibility ?? flags.setCompatibility,
          source: subject === undefined ? 'global' : 'subject',
        };
        emit(format, out, render);
        return 0;
      }
      if (flags.delete) {
        const previous = await client.request<{ compatibilityLevel?: string }>('DELETE', path);
        const out = { subject: scope, deleted: previous.compatibilityLevel ?? null };
        emit(format, out, (o) => `removed the compatibility level of ${o.subject} (was ${o.deleted ?? '-'})\n`);
        return 0;
      }
      let source = subject === undefined ? 'global' : 'subject';
      let config: { compatibilityLevel?: string };
      try {
        config = await client.request<{ compatibilityLevel?: string }>('GET', path);
      } catch (err) {
        // 40408: the subject has no level of its own, so the global one applies
        if (!(err instanceof RegistryError && err.code === 40408)) throw err;
        config = await client.request<{ compatibilityLevel?: string }>('GET', '/config');
        source = 'global';
      }
      const out = { subject: scope, compatibility: config.compatibilityLevel ?? null, source };
      emit(format, out, render);
      return 0;
    }),
  );
}

/** The `schema` command group. */
export function schemaCommand(): Command {
  return new Command('schema')
    .description('schema registry: register, get, list, check compatibility, delete, config')
    .addCommand(registerCommand())
    .addCommand(getCommand())
    .addCommand(listCommand())
    .addCommand(checkCommand())
    .addCommand(deleteCommand())
    .addCommand(configCommand());
}
