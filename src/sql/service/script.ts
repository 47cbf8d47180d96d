/**
 * Splitting a SQL script into statements at `;` — outside string literals, quoted identifiers and
 * comments, and not inside `EXECUTE STATEMENT SET BEGIN ... END` — keeping where each statement starts,
 * so an error's position inside one statement can be shown as a position in the script.
 */

/** One statement of a script. */
export interface ScriptPart {
  /** The statement without its `;`. */
  text: string;
  /** 1-based line and column of its first character in the script. */
  line: number;
  column: number;
}

/** The statements of a script; empty ones (only blanks and comments) are left out. */
export function splitScript(script: string): ScriptPart[] {
  return scan(script).parts;
}

/** Whether a script ends with a complete statement (its `;` written): the shell runs it then. */
export function endsStatement(script: string): boolean {
  const r = scan(script);
  return r.parts.length > 0 && !r.open;
}

function scan(script: string): { parts: ScriptPart[]; open: boolean } {
  const out: ScriptPart[] = [];
  let start = -1;
  let line = 1;
  let col = 1;
  let startLine = 1;
  let startCol = 1;
  // the statement's text without comments, to recognise statement sets and empty statements
  let code = '';
  const finish = (end: number) => {
    if (start >= 0 && code.trim() !== '')
      out.push({ text: script.slice(start, end).trimEnd(), line: startLine, column: startCol });
    start = -1;
    code = '';
  };
  const advance = (ch: string) => {
    if (ch === '\n') {
      line++;
      col = 1;
    } else col++;
  };
  let i = 0;
  while (i < script.length) {
    const c = script[i]!;
    if (start < 0 && /\s/.test(c)) {
      advance(c);
      i++;
      continue;
    }
    if (start < 0) {
      start = i;
      startLine = line;
      startCol = col;
    }
    let j = i + 1;
    if (c === '-' && script[i + 1] === '-') {
      while (j < script.length && script[j] !== '\n') j++;
    } else if (c === '/' && script[i + 1] === '*') {
      const e = script.indexOf('*/', i + 2);
      j = e < 0 ? script.length : e + 2;
      // a hint /*+ ... */ belongs to the statement
      if (script[i + 2] === '+') code += script.slice(i, j);
    } else if (c === "'" || c === '`' || c === '"') {
      while (j < script.length) {
        if (script[j] === c) {
          if (script[j + 1] === c) j += 2;
          else {
            j++;
            break;
          }
        } else j++;
      }
      code += script.slice(i, j);
    } else if (c === ';') {
      const set = /^\s*EXECUTE\s+STATEMENT\s+SET\s+BEGIN\b/i.test(code);
      if (!set || /\bEND\s*$/i.test(code)) {
        advance(c);
        finish(i);
        i++;
        continue;
      }
      code += c;
    } else code += c;
    for (let k = i; k < j; k++) advance(script[k]!);
    i = j;
  }
  const open = start >= 0 && code.trim() !== '';
  finish(script.length);
  return { parts: out, open };
}

/** A position inside a statement as a position in the script it came from. */
export function shiftPosition(part: ScriptPart, line: number, column: number): { line: number; column: number } {
  return line === 1 ? { line: part.line, column: part.column + column - 1 } : { line: part.line + line - 1, column };
}
