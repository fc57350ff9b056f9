import { resolve } from 'node:path';
import { Command } from 'commander';
import { findApp, loadProjectFile, PROJECT_FILE } from '../../config/index.js';
import { NotFoundError } from '../../errors/index.js';
import { DesiredStates } from '../../desired/index.js';
import { rendererNames, toYamlStream } from '../../render/index.js';
import { lazyDecryptingFs, redactResource, stripInternalAnnotations } from '../../secrets/index.js';
import { DiskFs } from '../../vfs/index.js';
import { outputOption, printJson } from '../context.js';

export function renderCommand(): Command {
  return new Command('render')
    .description('Print the desired state of an app in an environment, rendered from the config repo on disk')
    .argument('<app>', 'app name from sluice.yaml')
    .requiredOption('-e, --env <env>', 'environment')
    .option('-r, --repo <dir>', 'config repo directory', '.')
    .option('--renderer <name>', `force a renderer (${rendererNames().join(', ')})`)
    .addOption(outputOption(['yaml', 'json']))
    .option('--show-secrets', 'print Secret values decrypted (they are redacted by default)')
    .action(
      async (
        app: string,
        opts: { env: string; repo: string; renderer?: string; output: string; showSecrets?: boolean },
      ) => {
        const root = resolve(opts.repo);
        const project = loadProjectFile(resolve(root, PROJECT_FILE));
        const spec = findApp(project, app);
        if (!spec)
          throw new NotFoundError('APP_NOT_FOUND', `no app "${app}" in ${PROJECT_FILE}`, {
            hint: `Apps: ${project.apps.map((a) => a.name).join(', ') || 'none'}.`,
          });
        const env = project.environments.find((e) => e.name === opts.env);
        if (!env) {
          throw new NotFoundError('ENV_NOT_FOUND', `no environment "${opts.env}" in ${PROJECT_FILE}`, {
            hint: `Environments: ${project.environments.map((e) => e.name).join(', ')}.`,
          });
        }
        // The pipeline the controller uses: what it would refuse fails here too, with file and line.
        const desired = new DesiredStates(lazyDecryptingFs(new DiskFs(root)), project, {
          ...(opts.renderer ? { renderer: opts.renderer } : {}),
        });
        const state = await desired.of(spec, env);
        const shown = state.rendered.map((x) => {
          const object = stripInternalAnnotations(x.object);
          return { ...x, object: opts.showSecrets ? object : redactResource(object) };
        });
        if (opts.output === 'json') printJson(shown.map((x) => x.object));
        else process.stdout.write(toYamlStream(shown));
      },
    );
}
