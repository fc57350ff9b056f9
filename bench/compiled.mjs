#!/usr/bin/env node
/**
 * Runs a benchmark as Sluice runs in production: compiled by tsc, with no loader in the
 * process. Under tsx every module is transformed on load and its source map kept, which adds
 * about 100 MiB to the process and would count against Sluice in a memory figure.
 *
 *   node bench/compiled.mjs bench/kube.ts [args…]
 *
 * Compiles the project (src, test, bench) into .cache/bench-build, then runs the benchmark's
 * compiled file with the same arguments and environment; packages resolve from the repo's
 * node_modules, one directory up from the build.
 */
import { spawnSync } from 'node:child_process';
import { join, relative, resolve } from 'node:path';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node bench/compiled.mjs <bench/file.ts> [args…]');
  process.exit(2);
}
const root = resolve(import.meta.dirname, '..');
const out = join(root, '.cache', 'bench-build');
console.log(`compiling into ${relative(root, out)}…`);
const tsc = spawnSync(
  process.execPath,
  [
    join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
    '-p',
    join(root, 'tsconfig.json'),
    '--outDir',
    out,
    '--sourceMap',
    'false',
    '--incremental',
    '--tsBuildInfoFile',
    join(out, '.tsbuildinfo'),
  ],
  { stdio: 'inherit' },
);
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
const compiled = join(out, relative(root, resolve(entry)).replace(/\.ts$/, '.js'));
const run = spawnSync(process.execPath, [compiled, ...args], { stdio: 'inherit' });
process.exit(run.status ?? 1);
