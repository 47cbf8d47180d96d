// Runs one of the shared case files (Apicurio's format: {tests:[{id, enabled,
// compatibility: backward|both|none, original, updated}]}) through
// checkCompatibility and lists every case whose verdicts differ.
import { readFileSync } from 'node:fs';
import { checkCompatibility, type SchemaType } from '../../src/registry/formats/index.ts';

interface Case {
  id: string;
  enabled: boolean;
  compatibility: 'backward' | 'both' | 'none';
  original: unknown;
  updated: unknown;
}

const EXPECTED = { backward: [true, false], both: [true, true], none: [false, false] } as const;

/** Checks each enabled case at BACKWARD and FORWARD; returns the number run and a line per failing case. */
export function runCaseFile(file: string, type: SchemaType): { total: number; failures: string[] } {
  const url = new URL(`../fixtures/registry-compat/${file}`, import.meta.url);
  const { tests } = JSON.parse(readFileSync(url, 'utf8')) as { tests: Case[] };
  const failures: string[] = [];
  let total = 0;
  tests.forEach((c, i) => {
    if (!c.enabled) return;
    total++;
    const existing = [{ schema: JSON.stringify(c.original), refs: [] }];
    const candidate = { schema: JSON.stringify(c.updated), refs: [] };
    try {
      const backward = checkCompatibility('BACKWARD', candidate, existing, type);
      const forward = checkCompatibility('FORWARD', candidate, existing, type);
      const [wantB, wantF] = EXPECTED[c.compatibility];
      if ((backward.length === 0) !== wantB || (forward.length === 0) !== wantF) {
        failures.push(
          `#${i} ${c.id}: expected ${c.compatibility}, BACKWARD ${backward[0] ?? 'ok'}, FORWARD ${forward[0] ?? 'ok'}`,
        );
      }
    } catch (e) {
      failures.push(`#${i} ${c.id}: threw ${(e as Error).message}`);
    }
  });
  return { total, failures };
}
