import { startupSnapshot } from 'node:v8';
import { runKustomizeBuild } from './cli.js';

/**
 * Entry of the V8 startup snapshot `npm run build` makes of the engine (dist/kustomize.blob):
 * the engine's modules are already loaded and compiled in the snapshot's heap, so `sluice
 * kustomize build`, which tools call once per directory, starts about as fast as an empty
 * Node process. bin/sluice runs it as `node --snapshot-blob dist/kustomize.blob build [DIR] …`.
 */
startupSnapshot.setDeserializeMainFunction(() => {
  process.exitCode = runKustomizeBuild(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
});
