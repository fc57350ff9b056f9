import { Command } from 'commander';
import { resolve } from 'node:path';
import { kustomizeBuild } from '../../render/kustomize/index.js';
import { DiskFs } from '../../vfs/index.js';

export function kustomizeCommand(): Command {
  const k = new Command('kustomize').description('Kustomize-compatible tools');
  k.command('build')
    .description('Build a kustomization directory and print the result, like `kustomize build`')
    .argument('[dir]', 'kustomization directory', '.')
    .option('--load-restrictor <mode>', 'LoadRestrictionsRootOnly or LoadRestrictionsNone', 'LoadRestrictionsRootOnly')
    .action((dir: string, opts: { loadRestrictor: string }) => {
      const abs = resolve(dir);
      const out = kustomizeBuild(new DiskFs('/'), abs.slice(1) || '.', {
        loadRestrictions: opts.loadRestrictor === 'LoadRestrictionsNone' ? 'none' : 'rootOnly',
      });
      process.stdout.write(out);
    });
  return k;
}
