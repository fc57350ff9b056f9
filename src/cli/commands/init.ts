import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { ValidationError } from '../../errors/index.js';
import { scaffoldKinds, targetKind } from '../../providers/index.js';
import { writeConfigRepo } from '../../scaffold/index.js';
import { defaultDataDir } from '../context.js';
import { helloSource, projectSchema } from '../paths.js';

/**
 * Ports of a new repo: the API on this one, dev, staging and prod services at +10, +20 and +30.
 * The quick start keeps 7400-7439, so a new repo runs beside it.
 */
export const INIT_BASE_PORT = 7500;

export function initCommand(): Command {
  return new Command('init')
    .description(
      'Create a config repo: sluice.yaml, a sample app, and dev, staging and prod overlays, committed to Git',
    )
    .argument('[dir]', 'directory to create (must be empty or absent)', '.')
    .option('--name <name>', 'project name', 'demo')
    .option('--target <provider>', `where the environments run: ${scaffoldKinds().join(' or ')}`, scaffoldKinds()[0])
    .option('--context <name>', 'which cluster or host of the target (a kubeconfig context)')
    .option(
      '--base-port <port>',
      'first port for the sample app (dev +10, staging +20, prod +30)',
      String(INIT_BASE_PORT),
    )
    .option('--dry-run', 'list the files that would be written')
    .action(
      (dir: string, opts: { name: string; target: string; context?: string; basePort: string; dryRun?: boolean }) => {
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
          schema: projectSchema(),
          basePort: Number(opts.basePort),
          sample: () => ({ source: helloSource(), node: process.execPath }),
          ...(opts.context ? { context: opts.context } : {}),
        });
        const abs = resolve(dir);
        if (opts.dryRun) {
          for (const f of Object.keys(files)) console.log(`${abs}/${f}`);
          return;
        }
        const existed = existsSync(abs);
        writeConfigRepo(abs, files);
        console.log(
          `${existed ? 'Initialized' : 'Created'} config repo ${abs} (${Object.keys(files).length} files, first commit on main)`,
        );
        // Its own data dir and API port, so it does not share state or a port with the quick start.
        const dataDir = `${defaultDataDir()}-${opts.name}`;
        console.log(`Next: sluice --data-dir ${dataDir} serve --repo ${abs} --port ${opts.basePort}`);
      },
    );
}
