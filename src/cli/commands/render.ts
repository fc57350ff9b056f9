import { resolve } from 'node:path';
import { Command } from 'commander';
import { findApp, loadProjectFile, PROJECT_FILE } from '../../config/index.js';
import { NotFoundError } from '../../errors/index.js';
import { renderApp, rendererNames, toYamlStream } from '../../render/index.js';
import { openDecryptingFs, redactResource, SecretRegistry, stripInternalAnnotations } from '../../secrets/index.js';
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
        if (!project.environments.some((e) => e.name === opts.env)) {
          throw new NotFoundError('ENV_NOT_FOUND', `no environment "${opts.env}" in ${PROJECT_FILE}`, {
            hint: `Environments: ${project.environments.map((e) => e.name).join(', ')}.`,
          });
        }
        // Every decrypted value is learned so it is masked wherever it lands, not only in a
        // Secret's data (a Compose service's environment from a SOPS env_file, say).
        const registry = new SecretRegistry();
        const fs = await openDecryptingFs(new DiskFs(root), { registry });
        const r = renderApp(fs, spec, opts.env, opts.renderer);
        const shown = r.resources.map((x) => {
          const object = stripInternalAnnotations(x.object);
          return { ...x, object: opts.showSecrets ? object : redactResource(object, { registry }) };
        });
        if (opts.output === 'json') printJson(shown.map((x) => x.object));
        else process.stdout.write(toYamlStream(shown));
      },
    );
}
