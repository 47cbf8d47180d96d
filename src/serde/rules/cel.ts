/**
 * CEL rules with @marcbachmann/cel-js: expressions are parsed once and the
 * compiled programs cached by their text. `"<guard> ; <expr>"` is split at
 * the first `;` as Confluent's CelExecutor does: a guard that is false makes
 * a CONDITION pass and leaves a TRANSFORM's input unchanged.
 *
 * Values: cel-js treats JS numbers as CEL `double` and bigints as `int`, so
 * `message.age >= 18` works (mixed numeric comparison) but arithmetic on a
 * message field (`message.age + 1`) needs `int(message.age)`. In CEL_FIELD
 * rules the field value of an INT/LONG field is handed over as an `int`.
 * String functions available: size, contains, startsWith, endsWith, matches,
 * indexOf, lastIndexOf, substring(start[, end]), lowerAscii, upperAscii,
 * trim, split, join (lists); not replace or charAt.
 */
import { parse } from '@marcbachmann/cel-js';
import { messageOf, SerdeError } from '../errors.ts';
import type { Rule } from '../types.ts';

type Program = (vars: Record<string, unknown>) => unknown;

export interface CompiledCel {
  guard?: Program;
  /**
   * Set when the guard reads neither `value` nor `message`: its result then only depends on the
   * field (name, fullName, typeName, tags) and is remembered per field (CEL_FIELD).
   */
  guardByField?: Map<string, boolean>;
  body: Program;
}

const MAX_PROGRAMS = 5_000;
const programs = new Map<string, CompiledCel>();

function compileOne(text: string, rule: Rule): Program {
  try {
    return parse(text) as unknown as Program;
  } catch (err) {
    throw new SerdeError('RULE_ERROR', `rule ${rule.name}: CEL expression does not compile: ${messageOf(err)}`, {
      rule,
      cause: err,
    });
  }
}

/** The compiled guard and body of a rule's expression (cached by text). */
export function compileCel(rule: Rule): CompiledCel {
  const expr = rule.expr ?? '';
  const hit = programs.get(expr);
  if (hit) return hit;
  const i = expr.indexOf(';');
  let compiled: CompiledCel;
  if (i >= 0) {
    const guard = expr.slice(0, i);
    const body = compileOne(expr.slice(i + 1), rule);
    if (guard.trim() === '') compiled = { body };
    else {
      compiled = { guard: compileOne(guard, rule), body };
      if (!/\b(value|message)\b/.test(guard)) compiled.guardByField = new Map();
    }
  } else compiled = { body: compileOne(expr, rule) };
  if (programs.size >= MAX_PROGRAMS) programs.clear();
  programs.set(expr, compiled);
  return compiled;
}

/** Marks "the guard was false". */
export const GUARD_FALSE: unique symbol = Symbol('guard false');

/** Runs a compiled rule: GUARD_FALSE when its guard is false, else the body's result. */
export function runCel(c: CompiledCel, vars: Record<string, unknown>): unknown {
  if (c.guard && c.guard(vars) === false) return GUARD_FALSE;
  return c.body(vars);
}

/** A CEL rule on the whole message (`message`). CONDITION → boolean; TRANSFORM → the new message. */
export function celMessage(rule: Rule, msg: unknown): unknown {
  if (rule.expr === undefined || rule.expr === '') return rule.kind === 'CONDITION' ? true : msg;
  const r = runCel(compileCel(rule), { message: msg });
  if (r === GUARD_FALSE) return rule.kind === 'CONDITION' ? true : msg;
  return r;
}
