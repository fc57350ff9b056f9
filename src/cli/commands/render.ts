import { resolve } from 'node:path';
import { Command } from 'commander';
import { findApp, loadProjectFile, PROJECT_FILE } from '../../config/index.js';
import { NotFoundError } from '../../errors/index.js';
import { DesiredStates } from '../../desired/index.js';
import { rendererNames, toYamlStream } from '../../render/index.js';
import { lazyDecryptingFs, redactResource, SecretRegistry, stripInternalAnnotations } from '../../secrets/index.js';
import { DiskFs } from '../../vfs/index.js';
import { outputOption } from '../context.js';

export function renderCommand(): Command {
  return new Command('render')
    .description('Print the desired state of an app in an environment, rendered from the config repo on disk')
    .argument('<app>', 'app name from sluice.yaml')
    .requiredOption('-e, --env <env>', 'environment')
    .option('-r, --repo <dir>', 'config repo directory', '.')
    .option('--renderer <name>', `force a renderer (${rendererNames().join(', ')})`)
    .addOption(outputOption(['yaml', 'json']))
    .option(
      '--show-secrets',
      'print decrypted values in plaintext; by default every value from a SOPS file (in a Secret, an env var, an argument, a command) is shown as its fingerprint ‹secret:sha256:…›. Local only: the server never shows them',
    )
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
        const registry = new SecretRegistry();
        const desired = new DesiredStates(lazyDecryptingFs(new DiskFs(root), { registry }), project, {
          ...(opts.renderer ? { renderer: opts.renderer } : {}),
        });
        // A render error may quote decrypted content; it is masked like the output.
        const state = await withMaskedErrors(opts.showSecrets ? undefined : registry, () => desired.of(spec, env));
        const shown = state.rendered.map((x) => {
          const object = stripInternalAnnotations(x.object);
          return { ...x, object: opts.showSecrets ? object : redactResource(object, { registry }) };
        });
        // Masking the serialised text as well catches a value in any escaped form the
        // serialiser chose (YAML quoting, JSON escapes of control characters).
        const text =
          opts.output === 'json'
            ? `${JSON.stringify(
                shown.map((x) => x.object),
                null,
                2,
              )}\n`
            : toYamlStream(shown);
        process.stdout.write(opts.showSecrets ? text : registry.mask(text));
      },
    );
}

async function withMaskedErrors<T>(registry: SecretRegistry | undefined, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (registry && e instanceof Error) {
      e.message = registry.mask(e.message);
      const hinted = e as Error & { hint?: string };
      if (typeof hinted.hint === 'string') hinted.hint = registry.mask(hinted.hint);
    }
    throw e;
  }
}
