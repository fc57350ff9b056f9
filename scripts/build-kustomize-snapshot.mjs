// Builds dist/kustomize.blob: a V8 startup snapshot of the Kustomize engine for bin/sluice's
// fast path (see src/render/kustomize/snapshot-main.ts). A snapshot only loads in the Node
// binary that made it, so dist/kustomize.blob.node records which one (size and mtime, as
// bin/sluice checks them without starting Node). Failing here is not fatal: bin/sluice then
// runs the ordinary CLI.
import { execFileSync } from 'node:child_process';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const dist = join(process.cwd(), 'dist');
const bundle = join(dist, 'kustomize-snapshot.cjs');
const blob = join(dist, 'kustomize.blob');
const stamp = `${blob}.node`;
rmSync(stamp, { force: true });
try {
  // One CommonJS file: a startup snapshot is built from a single script, not ES modules.
  await build({
    entryPoints: [join(process.cwd(), 'src/render/kustomize/snapshot-main.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: true,
    outfile: bundle,
    logLevel: 'error',
  });
  execFileSync(process.execPath, ['--snapshot-blob', blob, '--build-snapshot', bundle], { stdio: 'inherit' });
  const node = statSync(process.execPath);
  writeFileSync(stamp, `${node.size} ${Math.floor(node.mtimeMs / 1000)}\n`);
  console.log(`kustomize start-up snapshot: ${blob}`);
} catch (e) {
  rmSync(blob, { force: true });
  console.warn(`no kustomize start-up snapshot (sluice kustomize build starts the ordinary CLI): ${e.message}`);
}
