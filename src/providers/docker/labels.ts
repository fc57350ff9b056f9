import type { Scope } from '../types.js';

/**
 * The labels `docker compose` puts on what it creates. Sluice writes the same ones, so
 * `docker compose -p <project> ps/logs/down` work on what Sluice runs and Sluice can adopt
 * a project first started by hand.
 */
export const LABEL_PROJECT = 'com.docker.compose.project';
export const LABEL_SERVICE = 'com.docker.compose.service';
export const LABEL_CONTAINER_NUMBER = 'com.docker.compose.container-number';
export const LABEL_CONFIG_HASH = 'com.docker.compose.config-hash';
export const LABEL_ONEOFF = 'com.docker.compose.oneoff';
export const LABEL_VERSION = 'com.docker.compose.version';
export const LABEL_WORKING_DIR = 'com.docker.compose.project.working_dir';
export const LABEL_CONFIG_FILES = 'com.docker.compose.project.config_files';
export const LABEL_NETWORK = 'com.docker.compose.network';
export const LABEL_VOLUME = 'com.docker.compose.volume';

/** Which Sluice scope a container, network or volume belongs to: `<project>/<env>/<app>`. */
export const LABEL_SCOPE = 'dev.sluice.scope';
export const LABEL_REVISION = 'dev.sluice.revision';
/** The service spec the container was created from, secrets fingerprinted, for readable diffs. */
export const LABEL_SPEC = 'dev.sluice.spec';

/** The Compose file format version Sluice's labels correspond to. */
export const COMPOSE_VERSION = '2.20.0';

/**
 * Compose project name of a scope: `<app>-<env>`, lowercase, only the characters Compose
 * accepts (`[a-z0-9][a-z0-9_-]*`).
 */
export function composeProjectName(scope: Scope): string {
  const raw = `${scope.app}-${scope.env}`
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '');
  return raw || 'sluice';
}

export function scopeLabel(scope: Scope): string {
  return `${scope.project}/${scope.env}/${scope.app}`;
}

export function scopeFromLabel(value: string | undefined): Scope | undefined {
  const parts = value?.split('/');
  if (!parts || parts.length !== 3 || parts.some((p) => !p)) return undefined;
  return { project: parts[0]!, env: parts[1]!, app: parts[2]! };
}

/** `<project>-<service>-<n>`: the name Compose v2 gives a service's n-th container. */
export function containerName(project: string, service: string, number: number): string {
  return `${project}-${service}-${number}`;
}

/** Networks and volumes are named `<project>_<key>` by Compose unless they set `name:`. */
export function objectName(project: string, key: string, spec: Record<string, unknown>): string {
  return typeof spec['name'] === 'string' ? (spec['name'] as string) : `${project}_${key}`;
}
