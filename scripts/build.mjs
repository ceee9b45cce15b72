// `npm run build`: compiles src/ to dist/src/ with tsc (tsconfig.build.json, no tests), then copies
// the files the compiled code reads at run time, at the same places relative to it as in the
// repository: dist/migrations, dist/catalog.example.yml and the sandbox's page. So dist/ plus the
// production dependencies is the whole application (what the Dockerfile ships).
//   node scripts/build.mjs [--out <dir>]   (default dist; tests build into a directory of their own)
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const at = process.argv.indexOf('--out');
const out = resolve(root, at > 0 && process.argv[at + 1] ? process.argv[at + 1] : 'dist');

/** Non-TypeScript files the application reads at run time: [from, to], relative to root and out. */
const ASSETS = [
  ['migrations', 'migrations'],
  ['catalog.example.yml', 'catalog.example.yml'],
  ['src/sandbox/page', 'src/sandbox/page'],
];

rmSync(out, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', out], { cwd: root, stdio: 'inherit' });
for (const [from, to] of ASSETS) cpSync(join(root, from), join(out, to), { recursive: true });
console.log(`built ${out}`);
