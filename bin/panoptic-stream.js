#!/usr/bin/env node
// Runs the compiled CLI (dist/, built by `npm ci` via the prepare script). In a source checkout
// without dist/, falls back to running the TypeScript sources through tsx.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = join(root, 'dist', 'cli', 'main.js');
let mod;
if (existsSync(compiled)) {
  mod = await import(pathToFileURL(compiled).href);
} else {
  await import('tsx/esm');
  mod = await import(pathToFileURL(join(root, 'src', 'cli', 'main.ts')).href);
}
const code = await mod.main(process.argv.slice(2));
process.exitCode = code;
