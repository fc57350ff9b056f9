import { Command } from 'commander';
import { runKustomizeBuild } from '../../render/kustomize/cli.js';

export function kustomizeCommand(): Command {
  const k = new Command('kustomize').description('Kustomize-compatible tools (no kustomize binary needed)');
  k.command('build')
    .description('Build a kustomization directory and print it exactly as `kustomize build` does')
    .argument('[args...]', '[DIR] [--load-restrictor LoadRestrictionsRootOnly|LoadRestrictionsNone] [-o FILE]')
    .allowUnknownOption()
    .helpOption(false)
    .action((args: string[]) => {
      process.exitCode = runKustomizeBuild(args, { stdout: process.stdout, stderr: process.stderr });
    });
  return k;
}
