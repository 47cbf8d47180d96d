/**
 * JSONATA rules (migrations): the expression gets the whole message as its
 * input and its result is the new message. Compiled expressions are cached
 * by text.
 */
import jsonata from 'jsonata';
import { messageOf, SerdeError } from '../errors.ts';
import type { Rule } from '../types.ts';

const MAX = 1_000;
const compiled = new Map<string, jsonata.Expression>();

/** Runs a JSONATA rule: the expression's result is the new message. */
export async function runJsonata(rule: Rule, msg: unknown): Promise<unknown> {
  const expr = rule.expr;
  if (expr === undefined || expr === '') return msg;
  let e = compiled.get(expr);
  if (!e) {
    try {
      e = jsonata(expr);
    } catch (err) {
      throw new SerdeError('RULE_ERROR', `rule ${rule.name}: JSONata expression does not compile: ${messageOf(err)}`, {
        rule,
        cause: err,
      });
    }
    if (compiled.size >= MAX) compiled.clear();
    compiled.set(expr, e);
  }
  // JSONata reads plain data: class instances (avsc records) become plain objects first; its
  // results (null-prototype objects, sequence-flagged arrays) become ordinary objects and arrays.
  return toPlain(await e.evaluate(toPlain(msg)));
}

function toPlain(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || Buffer.isBuffer(v) || v instanceof Uint8Array) return v;
  if (Array.isArray(v)) return Array.from(v, toPlain);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = toPlain(x);
  return out;
}
