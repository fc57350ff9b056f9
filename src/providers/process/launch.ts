import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { ProviderError } from '../../errors/index.js';
import type { Scope } from '../types.js';
import { ensureArtifact } from './artifact.js';
import type { Layout } from './layout.js';
import type { ProcessSpec } from './spec.js';

/** How to start any replica of one spec: everything except what differs per replica. */
export interface LaunchTemplate {
  /** Absolute path of the executable. */
  file: string;
  argv0: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
}

export interface ReplicaIdentityEnv {
  index: number;
  port: number | undefined;
  replicaId: string;
  owner: string;
}

/**
 * Children get a small, predictable environment rather than all of Sluice's: Sluice's own
 * credentials must not leak into workloads.
 */
const INHERITED = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'SHELL'];

export async function prepareLaunch(
  layout: Layout,
  scope: Scope,
  name: string,
  spec: ProcessSpec,
  revision: string,
): Promise<LaunchTemplate> {
  const ref = `Process/${name}`;
  const cwd = spec.workingDir ?? layout.workDir(scope);
  if (spec.workingDir === undefined) mkdirSync(cwd, { recursive: true });
  else if (!isDirectory(cwd)) {
    throw new ProviderError('PROCESS_WORKDIR_MISSING', `workingDir ${cwd} is not a directory`, {
      resource: ref,
      field: 'spec.workingDir',
      hint: 'Create the directory on this machine, or leave workingDir out to use the provider’s own directory.',
    });
  }

  const env: Record<string, string> = {};
  for (const k of INHERITED) if (process.env[k] !== undefined) env[k] = process.env[k]!;
  Object.assign(env, spec.env);
  if (spec.artifact) env.SLUICE_ARTIFACT = await ensureArtifact(layout, ref, spec.artifact);
  env.SLUICE_APP = scope.app;
  env.SLUICE_ENV = scope.env;
  env.SLUICE_PROJECT = scope.project;
  env.SLUICE_PROCESS = name;
  env.SLUICE_REVISION = revision;

  const file = resolveCommand(ref, spec.command, env.PATH ?? '', cwd);
  return { file, argv0: spec.command, args: spec.args, cwd, env };
}

export function replicaEnv(template: LaunchTemplate, id: ReplicaIdentityEnv): Record<string, string> {
  const env: Record<string, string> = {
    ...template.env,
    SLUICE_REPLICA: String(id.index),
    SLUICE_REPLICA_ID: id.replicaId,
    SLUICE_OWNER: id.owner,
  };
  if (id.port !== undefined) env.PORT = String(id.port);
  return env;
}

/** PATH lookup done here (no shell), so "not found" is a clear error before anything stops. */
export function resolveCommand(ref: string, command: string, pathVar: string, cwd: string): string {
  const candidates = command.includes('/')
    ? [resolve(cwd, command)]
    : pathVar
        .split(delimiter)
        .filter(Boolean)
        .map((d) => join(d, command));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      if (!isDirectory(c)) return c;
    } catch {
      // try the next PATH entry
    }
  }
  throw new ProviderError(
    'PROCESS_COMMAND_NOT_FOUND',
    `command "${command}" not found${command.includes('/') ? '' : ' on PATH'} or not executable`,
    {
      resource: ref,
      field: 'spec.command',
      retry: false,
      hint: command.includes('/')
        ? 'Check the path and its execute permission.'
        : `Install it, or give an absolute path. PATH was ${pathVar || '(empty)'}.`,
    },
  );
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
