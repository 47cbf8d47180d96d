#!/usr/bin/env node
// The `tributary` command. TypeScript runs through tsx, so it works right
// after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
