/**
 * Contexts in the URL: `/contexts/{ctx}/subjects/...`, `/config/...`,
 * `/mode/...`, `/compatibility/...` and `/schemas/...` are rewritten to the
 * qualified-subject form (`:.ctx:subject`) before routing, as Confluent's
 * ContextFilter does. The default context `.` maps to plain subjects.
 */

function qualify(ctx: string, subject: string): string {
  return ctx === '.' ? subject : `:${ctx}:${subject}`;
}

/** The request with a `/contexts/{ctx}/...` path rewritten; other requests unchanged. */
export function rewriteContextPath(req: Request): Request {
  if (!req.url.includes('/contexts/')) return req;
  const url = new URL(req.url);
  const m = /^\/contexts\/([^/]+)\/(subjects|config|mode|compatibility\/subjects|schemas)(\/.*)?$/.exec(url.pathname);
  if (!m) return req;
  const raw = decodeURIComponent(m[1] as string);
  const ctx = raw.startsWith('.') ? raw : `.${raw}`;
  const kind = m[2] as string;
  const rest = m[3] ?? '';
  if (kind === 'schemas') {
    // ids belong to a context: pass it as ?subject=:.ctx:
    url.searchParams.set('subject', qualify(ctx, ''));
    url.pathname = `/schemas${rest}`;
  } else if (rest === '' || rest === '/') {
    if (kind === 'subjects') {
      url.pathname = '/subjects';
      if (ctx !== '.') url.searchParams.set('subjectPrefix', qualify(ctx, ''));
    } else {
      // global config or mode of a context: the subject `:.ctx:`
      url.pathname = `/${kind}/${encodeURIComponent(qualify(ctx, ''))}`;
    }
  } else {
    const [, subject = '', tail = ''] = /^\/([^/]+)(\/.*)?$/.exec(rest) ?? [];
    url.pathname = `/${kind}/${encodeURIComponent(qualify(ctx, decodeURIComponent(subject)))}${tail}`;
  }
  return new Request(url, req);
}
