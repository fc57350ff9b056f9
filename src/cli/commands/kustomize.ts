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
  k.command('server')
    .description(
      'Keep the engine running for `sluice kustomize build`, so scripts that build many directories one command at a time do not start Node for each: `eval "$(sluice kustomize server --detach)"`',
    )
    .option('--socket <path>', 'UNIX socket to listen on (default: a new private directory under the temp dir)')
    .option('--idle <duration>', 'exit after this long without a build; 0 never', '10m')
    .option('--detach', 'run in the background and print the shell commands that point builds at it')
    .action(async (opts: { socket?: string; idle: string; detach?: boolean }) => {
      const { runBuildServer } = await import('./kustomize-server.js');
      process.exitCode = await runBuildServer(opts);
    });
  return k;
}
