import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { processProjectFiles, writeConfigRepo } from '../../scaffold/index.js';
import { helloScript, projectSchemaPath } from '../paths.js';

export function initCommand(): Command {
  return new Command('init')
    .description('Create a config repo: sluice.yaml, a sample app, and dev, staging and prod overlays, committed to Git')
    .argument('[dir]', 'directory to create (must be empty or absent)', '.')
    .option('--name <name>', 'project name', 'demo')
    .option('--target <provider>', 'where the environments run: process', 'process')
    .option('--base-port <port>', 'first port for the sample app (dev +10, staging +20, prod +30)', '7400')
    .option('--dry-run', 'list the files that would be written')
    .action((dir: string, opts: { name: string; target: string; basePort: string; dryRun?: boolean }) => {
      if (opts.target !== 'process') throw new Error(`--target ${opts.target} is not available yet; use --target process`);
      const files = processProjectFiles({ project: opts.name, helloScript: helloScript(), node: process.execPath, schema: projectSchemaPath(), basePort: Number(opts.basePort) });
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
