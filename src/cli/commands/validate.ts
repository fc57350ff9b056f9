import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { loadProjectFile, PROJECT_FILE, type App, type Environment, type Project } from '../../config/index.js';
import { NotFoundError } from '../../errors/index.js';
import type { RenderedResource } from '../../model/resource.js';
import { errorViolation, summarize, validateTargets, type ValidateResult } from '../../policy/index.js';
import { toJson, toJunit, toSarif, toText } from '../../policy/report/index.js';
import { hasOverlay, renderApp } from '../../render/index.js';
import { loadAgeIdentities, openDecryptingFs, SecretRegistry, type AgeIdentities } from '../../secrets/index.js';
import { DiskFs, type ReadonlyFs } from '../../vfs/index.js';
import { ExitCode } from '../exit-codes.js';
import { outputOption } from '../context.js';

export type ValidateFormat = 'text' | 'json' | 'junit' | 'sarif';

/** Renders one app for one environment from a file tree; the render registry by default. */
export type ProjectRender = (fs: ReadonlyFs, project: Project, app: App, env: Environment) => RenderedResource[];

export const registryRender: ProjectRender = (fs, _project, app, env) => renderApp(fs, app, env.name).resources;

export interface RunValidateOptions {
  /** Config repo directory on disk. */
  dir: string;
  env?: string;
  render?: ProjectRender;
  identities?: AgeIdentities;
  registry?: SecretRegistry;
}

/** The environments an app deploys to: named in sluice.yaml, else those with an overlay, else all. */
export function environmentsOf(fs: ReadonlyFs, project: Project, app: App): Environment[] {
  if (app.environments) return project.environments.filter((e) => app.environments!.includes(e.name));
  const withOverlay = project.environments.filter((e) => hasOverlay(fs, app, e.name));
  return withOverlay.length ? withOverlay : project.environments;
}

/**
 * Loads sluice.yaml from `dir`, decrypts SOPS files in memory (or, without a key, only finds
 * them), renders every app × environment and runs policy. Config errors throw; everything
 * after that is reported as violations.
 */
export async function runValidate(options: RunValidateOptions): Promise<ValidateResult> {
  const root = resolve(options.dir);
  const project = loadProjectFile(resolve(root, PROJECT_FILE));
  if (options.env && !project.environments.some((e) => e.name === options.env)) {
    throw new NotFoundError('ENV_NOT_FOUND', `no environment "${options.env}" in ${PROJECT_FILE}`, {
      hint: `Environments: ${project.environments.map((e) => e.name).join(', ')}.`,
    });
  }
  const disk = new DiskFs(root);
  const registry = options.registry ?? new SecretRegistry();
  const ids = options.identities ?? loadAgeIdentities();
  const decrypt = ids.identities.length > 0;
  let fs;
  try {
    fs = await openDecryptingFs(disk, { identities: ids, registry, decrypt });
  } catch (e) {
    const report = summarize([errorViolation('secrets-decrypt', e, options.env ? { env: options.env } : {})]);
    return { project: project.name, targets: [], report, notes: [] };
  }
  const render = options.render ?? registryRender;
  const targets = project.apps.flatMap((app) =>
    environmentsOf(disk, project, app)
      .filter((env) => !options.env || env.name === options.env)
      .map((env) => ({ app, env })),
  );
  const result = validateTargets({
    project,
    targets,
    render: (app, env) => render(fs, project, app, env),
    encryptedFiles: fs.encryptedPaths,
    registry,
  });
  if (!decrypt && fs.encryptedPaths.size > 0) {
    result.notes.push(
      `${fs.encryptedPaths.size} SOPS-encrypted file(s) found but not decrypted (no age key); they were checked in encrypted form.`,
    );
  }
  return result;
}

export function formatResult(result: ValidateResult, format: ValidateFormat): string {
  switch (format) {
    case 'json':
      return toJson(result);
    case 'junit':
      return toJunit(result);
    case 'sarif':
      return JSON.stringify(toSarif(result, PROJECT_FILE), null, 2) + '\n';
    default:
      return toText(result);
  }
}

export function validateCommand(): Command {
  return new Command('validate')
    .description('Render every app in every environment and check policy, for pull-request pipelines')
    .argument('[path]', 'config repo directory', '.')
    .option('-e, --env <env>', 'only this environment')
    .addOption(outputOption(['text', 'json', 'junit', 'sarif']))
    .option('--output-file <file>', 'write the report to a file instead of standard output')
    .action(async (path: string, opts: { env?: string; output: ValidateFormat; outputFile?: string }) => {
      const result = await runValidate({ dir: path, ...(opts.env ? { env: opts.env } : {}) });
      const text = formatResult(result, opts.output);
      if (opts.outputFile) {
        writeFileSync(opts.outputFile, text);
        // The file is for the CI system; the person reading the job log still wants the summary.
        if (opts.output !== 'text') process.stderr.write(toText(result));
      } else {
        process.stdout.write(text);
      }
      if (result.report.errors > 0) process.exitCode = ExitCode.Invalid;
    });
}
