/**
 * `npm run bench`: runs every bench/<name>.ts module (each exports `run(): Promise<void>` printing a
 * table of figures measured side by side in this one run). `npm run bench -- render tracking` runs a subset.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const names = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_'))
  .map((f) => f.slice(0, -3))
  .filter((n) => wanted.length === 0 || wanted.includes(n))
  .sort();

console.log(`panoptic-stream benchmarks on ${process.platform}/${process.arch}, node ${process.version}; suites: ${names.join(', ')}\n`);
let failed = 0;
for (const name of names) {
  const mod = (await import(pathToFileURL(join(here, `${name}.ts`)).href)) as { run?: () => Promise<void> };
  if (typeof mod.run !== 'function') continue;
  console.log(`== ${name} ==`);
  try {
    await mod.run();
  } catch (err) {
    failed++;
    console.error(`bench ${name} failed:`, err);
  }
  console.log('');
}
process.exitCode = failed ? 1 : 0;
