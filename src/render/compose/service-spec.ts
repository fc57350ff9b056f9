import { RenderError } from '../../errors/index.js';
import type { EnvFileRef, FileService } from './canonical.js';
import { parseDotenv } from './dotenv.js';
import type { ComposeDependsOn, ComposeServiceSpec, ComposeVolumeMount } from '../../model/compose.js';
import { readText, type ComposeProject } from './project.js';
import { isObject } from './values.js';

/** A merged service in its final form, and the encrypted file its values came from, if any. */
export function serviceSpec(
  project: ComposeProject,
  name: string,
  svc: FileService,
): { spec: ComposeServiceSpec; encrypted: string | undefined } {
  const { model, fail } = project;
  const at = ['services', name];
  if (typeof svc.image !== 'string')
    fail(at, `service ${name} has no image`, 'Set image: in base/ or in the overlay.', true);

  const { environment, encrypted } = serviceEnvironment(project, svc);
  const spec: Record<string, unknown> = { ...svc };
  delete spec.env_file;
  if (Object.keys(environment).length > 0) spec.environment = environment;
  else delete spec.environment;

  if (svc.depends_on) {
    const deps: Record<string, ComposeDependsOn> = {};
    for (const [dep, d] of Object.entries(svc.depends_on as Record<string, Partial<ComposeDependsOn>>)) {
      // Compose refuses this even with required: false, which only tolerates a failed start.
      if (!model.services[dep])
        fail(
          [...at, 'depends_on', dep],
          `service ${name} depends on ${dep}, which is not defined`,
          `Define service ${dep}, or remove it from depends_on.`,
          true,
        );
      const entry: ComposeDependsOn = { condition: d.condition ?? 'service_started', required: d.required ?? true };
      if (d.restart !== undefined) entry.restart = d.restart;
      deps[dep] = entry;
    }
    spec.depends_on = deps;
  }
  for (const m of (svc.volumes as ComposeVolumeMount[] | undefined) ?? []) {
    if (m.type === 'volume' && m.source && !(m.source in model.volumes))
      fail(
        [...at, 'volumes'],
        `service ${name} uses volume ${m.source}, which is not declared`,
        `Declare it under the top-level volumes: (${m.source}: {}).`,
      );
  }
  for (const n of Object.keys((svc.networks as object | undefined) ?? {})) {
    if (n !== 'default' && !(n in model.networks))
      fail(
        [...at, 'networks', n],
        `service ${name} joins network ${n}, which is not declared`,
        `Declare it under the top-level networks: (${n}: {}).`,
      );
  }
  for (const k of ['ports', 'volumes', 'labels'] as const) {
    const v = spec[k];
    if ((Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0)) delete spec[k];
  }
  return { spec: spec as unknown as ComposeServiceSpec, encrypted };
}

/** `env_file:` files in order, then `environment:`; a variable without a value from the .env files. */
function serviceEnvironment(
  project: ComposeProject,
  svc: FileService,
): { environment: Record<string, string | null>; encrypted: string | undefined } {
  const { fs, vars } = project;
  let encrypted = project.encryptedVars;
  const environment: Record<string, string | null> = {};
  for (const ref of (svc.env_file as EnvFileRef[] | undefined) ?? []) {
    if (fs.stat(ref.path) !== 'file') {
      if (!ref.required) continue;
      throw new RenderError('COMPOSE_ENV_FILE_MISSING', `env_file ${ref.path} does not exist`, {
        file: ref.file,
        line: ref.line,
        hint: 'env_file paths are relative to base/ (the project directory), as in compose; or set required: false.',
      });
    }
    for (const [k, v] of parseDotenv(readText(fs, ref.path), ref.path, vars)) environment[k] = v;
    if (project.isEncrypted(ref.path)) encrypted = ref.path;
  }
  Object.assign(environment, svc.environment ?? {});
  for (const [k, v] of Object.entries(environment)) if (v === null && vars.has(k)) environment[k] = vars.get(k)!;
  return { environment, encrypted };
}
