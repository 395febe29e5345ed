#!/usr/bin/env node
// The installed command runs the compiled package (npm's prepare step builds dist/).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(compiled))) {
  console.error('propamine: dist/ is missing; run `npm run build` (npm ci does it) first');
  process.exit(1);
}
const { main } = await import(compiled.href);
process.exitCode = await main(process.argv.slice(2));
