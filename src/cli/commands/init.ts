import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { ValidationError } from '../../errors/index.js';
import { scaffoldKinds, targetKind } from '../../providers/index.js';
import { writeConfigRepo } from '../../scaffold/index.js';
import { helloScript, projectSchemaPath } from '../paths.js';

export function initCommand(): Command {
  return new Command('init')
    .description('Create a config repo: sluice.yaml, a sample app, and dev, staging and prod overlays, committed to Git')
    .argument('[dir]', 'directory to create (must be empty or absent)', '.')
    .option('--name <name>', 'project name', 'demo')
    .option('--target <provider>', 'where the environments run: process (local processes) or kubernetes', 'process')
    .option('--context <name>', 'kubeconfig context of the cluster (with --target kubernetes)')
    .option('--base-port <port>', 'first port for the sample app (dev +10, staging +20, prod +30)', '7400')
    .option('--dry-run', 'list the files that would be written')
    .action((dir: string, opts: { name: string; target: string; context?: string; basePort: string; dryRun?: boolean }) => {
      const scaffold = targetKind(opts.target)?.scaffold;
      if (!scaffold) {
        throw new ValidationError('BAD_TARGET', `--target ${opts.target} is not a provider Sluice can scaffold`, {
          hint: `Use ${scaffoldKinds()
            .map((k) => `--target ${k}`)
            .join(' or ')}.`,
        });
      }
      const files = scaffold({
        project: opts.name,
        schema: projectSchemaPath(),
        basePort: Number(opts.basePort),
        sample: () => ({ script: helloScript(), node: process.execPath }),
        ...(opts.context ? { context: opts.context } : {}),
      });
      const abs = resolve(dir);
      if (opts.dryRun) {
        for (const f of Object.keys(files)) console.log(`${abs}/${f}`);
        return;
      }
      const existed = existsSync(abs);
      writeConfigRepo(abs, files);
      console.log(`${existed ? 'Initialized' : 'Created'} config repo ${abs} (${Object.keys(files).length} files, first commit on main)`);
      console.log(`Next: sluice serve --repo ${abs}`);
    });
}
