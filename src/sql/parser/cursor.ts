/**
 * The token cursor shared by the parse-*.ts modules. Every "is the next
 * token X?" test that fails is remembered as an expectation for the current
 * token, so an error reports everything that would have been accepted there
 * (keywords as `FROM`, punctuation as `','`, categories as `identifier`).
 * Lookahead past the current token is never recorded.
 */
import type { Identifier, Pos } from './ast.ts';
import { expectedMessage, SqlParseError } from './errors.ts';
import { tokenize } from './lexer.ts';
import { RESERVED, type Token } from './tokens.ts';

const MAX_DEPTH = 400;

export class Cursor {
  readonly tokens: Token[];
  i = 0;
  #expected: string[] = [];
  #expectedAt = -1;
  #depth = 0;

  constructor(sql: string) {
    this.tokens = tokenize(sql);
  }

  peek(k = 0): Token {
    return this.tokens[Math.min(this.i + k, this.tokens.length - 1)];
  }
  get pos(): Pos {
    return this.peek().pos;
  }
  next(): Token {
    const t = this.tokens[this.i];
    if (t.kind !== 'eof') this.i++;
    return t;
  }
  atEnd(): boolean {
    return this.peek().kind === 'eof';
  }

  /** Records that `label` would have been accepted at the current token. */
  note(label: string): void {
    if (this.#expectedAt !== this.i) {
      this.#expectedAt = this.i;
      this.#expected = [];
    }
    if (!this.#expected.includes(label)) this.#expected.push(label);
  }

  // ------------------------------------------------------------ words

  /** Whether the token k ahead is the (unquoted) keyword; never recorded. */
  isWord(word: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'word' && t.upper === word;
  }
  /** Whether the current token is the keyword; records the expectation when not. */
  at(word: string): boolean {
    if (this.isWord(word)) return true;
    this.note(word);
    return false;
  }
  /** Consumes the keyword sequence if the first word matches (the rest are then required). */
  accept(...words: string[]): boolean {
    if (!this.at(words[0])) return false;
    this.next();
    for (const w of words.slice(1)) this.expect(w);
    return true;
  }
  /**
   * Consumes the keyword sequence only if every word matches — except that
   * a reserved first word commits (`GROUP a` fails at `a`: expected BY).
   */
  acceptAll(...words: string[]): boolean {
    if (!this.isWord(words[0])) {
      this.note(words.join(' '));
      return false;
    }
    if (RESERVED.has(words[0])) {
      this.next();
      for (const w of words.slice(1)) this.expect(w);
      return true;
    }
    for (let k = 1; k < words.length; k++) if (!this.isWord(words[k], k)) return false;
    this.i += words.length;
    return true;
  }
  expect(word: string): Token {
    if (!this.at(word)) this.fail();
    return this.next();
  }
  /** Consumes one of the words if present and returns it upper-cased. */
  acceptOneOf<T extends string>(...words: T[]): T | undefined {
    for (const w of words) if (this.at(w)) return this.next().upper as T;
    return undefined;
  }
  expectOneOf<T extends string>(...words: T[]): T {
    const w = this.acceptOneOf(...words);
    if (w === undefined) this.fail();
    return w;
  }

  // ------------------------------------------------------------ operators

  isOp(op: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'op' && t.value === op;
  }
  atOp(op: string): boolean {
    if (this.isOp(op)) return true;
    this.note(`'${op}'`);
    return false;
  }
  acceptOp(op: string): boolean {
    if (!this.atOp(op)) return false;
    this.next();
    return true;
  }
  expectOp(op: string): Token {
    if (!this.atOp(op)) this.fail();
    return this.next();
  }

  // ------------------------------------------------------------ identifiers and literals

  /** Whether the token k ahead can be an identifier (non-reserved word, backquoted name or ${VAR}). */
  isIdent(k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'quoted' || t.kind === 'variable' || (t.kind === 'word' && !RESERVED.has(t.upper));
  }
  atIdent(): boolean {
    if (this.isIdent()) return true;
    this.note('identifier');
    return false;
  }
  identifier(): Identifier {
    if (!this.atIdent()) this.fail();
    return toIdentifier(this.next());
  }
  /** `a.b.c` */
  qualifiedName(): Identifier[] {
    const names = [this.identifier()];
    while (this.isOp('.') && this.isIdent(1)) {
      this.next();
      names.push(this.identifier());
    }
    return names;
  }
  identifierList(): Identifier[] {
    this.expectOp('(');
    const list = [this.identifier()];
    while (this.acceptOp(',')) list.push(this.identifier());
    this.expectOp(')');
    return list;
  }
  string(): string {
    if (this.peek().kind === 'string' && this.peek().prefix === undefined) return this.next().value;
    this.note('string literal');
    this.fail();
  }
  isString(k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'string' && t.prefix === undefined;
  }
  integer(): number {
    const t = this.peek();
    if (t.kind === 'number' && /^\d+$/.test(t.value)) {
      this.next();
      return Number(t.value);
    }
    this.note('integer');
    this.fail();
  }

  // ------------------------------------------------------------ errors and depth

  /** Throws "expected ... but found ..." at the current token. */
  fail(): never {
    const t = this.peek();
    const expected = this.#expectedAt === this.i ? [...this.#expected] : [];
    const found = describe(t);
    const word = t.kind === 'word' ? t.value : undefined;
    throw new SqlParseError(t.pos, expectedMessage(expected, found, word), expected, found);
  }
  /** Throws a specific message at a position. */
  error(pos: Pos, detail: string, expected: string[] = []): never {
    throw new SqlParseError(pos, detail, expected, describe(this.peek()));
  }
  enter(): void {
    if (++this.#depth > MAX_DEPTH) this.error(this.pos, `nesting deeper than ${MAX_DEPTH} levels`);
  }
  leave(): void {
    this.#depth--;
  }
}

export function toIdentifier(t: Token): Identifier {
  if (t.kind === 'variable')
    return { kind: 'Identifier', pos: t.pos, value: t.value, quoted: false, placeholder: true };
  return { kind: 'Identifier', pos: t.pos, value: t.value, quoted: t.kind === 'quoted' };
}

function describe(t: Token): string {
  if (t.kind === 'eof') return 'end of input';
  if (t.kind === 'string' && t.text.length <= 40) return t.text;
  const text = t.text.length > 40 ? `${t.text.slice(0, 40)}...` : t.text;
  return `'${text}'`;
}
