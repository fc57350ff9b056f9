import { statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { loadProjectFile, PROJECT_FILE } from '../../config/index.js';
import { DesiredStates } from '../../desired/index.js';
import { NotFoundError } from '../../errors/index.js';
import type { Resource } from '../../model/resource.js';
import { servedValidation } from '../../providers/index.js';
import type { ResourceIssue } from '../../providers/types.js';
import { mergeReports, summarize, type ValidateResult, type Violation } from '../../policy/index.js';
import { toJson, toJunit, toSarif, toText } from '../../policy/report/index.js';
import { lazyDecryptingFs, loadAgeIdentities, SecretRegistry, type AgeIdentities } from '../../secrets/index.js';
import { DiskFs } from '../../vfs/index.js';
import { ExitCode } from '../exit-codes.js';
import { globals, outputOption } from '../context.js';

export type ValidateFormat = 'text' | 'json' | 'junit' | 'sarif';

export interface RunValidateOptions {
  /** Config repo directory on disk. */
  dir: string;
  env?: string;
  identities?: AgeIdentities;
  registry?: SecretRegistry;
  /**
   * Check fields against the schema each target serves (a cluster's OpenAPI, its CRDs
   * included) instead of the one shipped; what was read is kept under `dataDir`.
   */
  schemaFromCluster?: { dataDir: string };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Loads sluice.yaml from `dir` and takes every app × environment through the pipeline the
 * controller uses (render, decrypting in memory what each render reads, the target's
 * validation, cross-app checks, policy), so what the server would refuse fails here. Without
 * a key, SOPS files are only found and checked in encrypted form. Config errors throw;
 * everything after that is reported as violations, one app's failure not hiding another's.
 */
export async function runValidate(options: RunValidateOptions): Promise<ValidateResult> {
  const root = resolve(options.dir);
  if (!isDirectory(root))
    throw new NotFoundError('REPO_NOT_FOUND', 'no config repo directory here', {
      file: options.dir,
      hint: 'Pass the config repo directory (the one holding sluice.yaml): sluice validate <path>.',
    });
  const project = loadProjectFile(resolve(root, PROJECT_FILE));
  if (options.env && !project.environments.some((e) => e.name === options.env)) {
    throw new NotFoundError('ENV_NOT_FOUND', `no environment "${options.env}" in ${PROJECT_FILE}`, {
      hint: `Environments: ${project.environments.map((e) => e.name).join(', ')}.`,
    });
  }
  const registry = options.registry ?? new SecretRegistry();
  const ids = options.identities ?? loadAgeIdentities();
  const decrypt = ids.identities.length > 0;
  const fs = lazyDecryptingFs(new DiskFs(root), { identities: ids, registry, decrypt });
  const notes: string[] = [];
  const validators = new Map<string, (resource: Resource) => ResourceIssue[]>();
  if (options.schemaFromCluster) {
    const used = new Set(
      project.environments.filter((e) => !options.env || e.name === options.env).map((e) => e.target),
    );
    for (const name of used) {
      const target = project.targets.get(name);
      if (!target) continue;
      const served = await servedValidation(target, options.schemaFromCluster.dataDir);
      if (served) {
        validators.set(name, served.validate);
        notes.push(`Target ${name}: fields checked against the schema served by ${served.source}.`);
      } else notes.push(`Target ${name} (${target.provider}) serves no schema; its kind's own checks were used.`);
    }
  }
  const desired = new DesiredStates(fs, project, { validators });
  // A message may quote a decrypted line (a render error): every one is masked.
  const mask = (v: Violation): Violation => ({ ...v, message: registry.mask(v.message), hint: registry.mask(v.hint) });
  const targets = [];
  for (const { app, env } of desired.scopes) {
    if (options.env && env.name !== options.env) continue;
    const found = await desired.findings(app, env);
    targets.push({
      app: app.name,
      env: env.name,
      resources: found.resources,
      report: summarize(found.violations.map(mask)),
    });
  }
  const result: ValidateResult = {
    project: project.name,
    targets,
    report: mergeReports(targets.map((t) => t.report)),
    notes,
  };
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
    .option(
      '--schema-from-cluster',
      "check fields against the schema each environment's cluster serves (its CRDs too), read with the target's kubeconfig, instead of the shipped one",
    )
    .action(
      async (
        path: string,
        opts: { env?: string; output: ValidateFormat; outputFile?: string; schemaFromCluster?: boolean },
        cmd: Command,
      ) => {
        const result = await runValidate({
          dir: path,
          ...(opts.env ? { env: opts.env } : {}),
          ...(opts.schemaFromCluster ? { schemaFromCluster: { dataDir: globals(cmd).dataDir } } : {}),
        });
        const text = formatResult(result, opts.output);
        if (opts.outputFile) {
          writeFileSync(opts.outputFile, text);
          // The file is for the CI system; the person reading the job log still wants the summary.
          if (opts.output !== 'text') process.stderr.write(toText(result));
        } else {
          process.stdout.write(text);
        }
        if (result.report.errors > 0) process.exitCode = ExitCode.Invalid;
      },
    );
}
