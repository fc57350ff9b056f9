import { startupSnapshot } from 'node:v8';
import { MemoryFs } from '../../vfs/index.js';
import { runKustomizeBuild } from './cli.js';
import { defaultConfig } from './config/transformer-config.js';
import { kustomizeBuild } from './index.js';
import { builtinSchema } from './patch/schema.js';

/**
 * Entry of the V8 startup snapshot `npm run build` makes of the engine (dist/kustomize.blob):
 * the engine's modules are already loaded and compiled in the snapshot's heap, so `sluice
 * kustomize build`, which tools call once per directory, starts about as fast as an empty
 * Node process. bin/sluice runs it as `node --snapshot-blob dist/kustomize.blob build [DIR] …`.
 *
 * What every build needs and is the same for all (the built-in field specs and schema, parsed)
 * is made here, once, and lands in the snapshot; so does the code a small overlay build runs,
 * compiled by building one in memory.
 */
builtinSchema();
defaultConfig();
kustomizeBuild(
  MemoryFs.fromFiles({
    'base/kustomization.yaml':
      'resources:\n- deployment.yaml\nconfigMapGenerator:\n- name: web\n  literals:\n  - a=b\n',
    'base/deployment.yaml':
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: web:1\n        envFrom:\n        - configMapRef:\n            name: web\n',
    'prod/kustomization.yaml':
      'resources:\n- ../base\nnamePrefix: prod-\nnamespace: prod\nlabels:\n- pairs:\n    env: prod\nimages:\n- name: web\n  newTag: "2"\npatches:\n- patch: |-\n    - op: replace\n      path: /spec/replicas\n      value: 2\n  target:\n    kind: Deployment\n',
  }),
  'prod',
);

startupSnapshot.setDeserializeMainFunction(() => {
  process.exitCode = runKustomizeBuild(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
});
