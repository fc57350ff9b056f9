import { parseDuration, type Project, type RepositorySpec } from '../config/index.js';
import { detectHosting, githubRepo, gitlabRepo, type HostedLog, type HostedRepo } from '../hosted/index.js';
import { PromotionError } from './errors.js';

/** Where promotion requests of a project are opened, resolved from sluice.yaml, the remote URL and the environment. */
export interface HostedTarget {
  repo: HostedRepo;
  /** Prefix of the change branches, e.g. `sluice/`. */
  branchPrefix: string;
  pollIntervalMs: number;
  /** Identifies the configuration, so a client is built again only when it changes. */
  key: string;
}

export const DEFAULT_TOKEN_ENV = { github: 'SLUICE_GITHUB_TOKEN', gitlab: 'SLUICE_GITLAB_TOKEN' } as const;

export interface HostingContext {
  /** The config repo's remote URL, when it is a remote. */
  remoteUrl?: string | undefined;
  env?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
  log?: HostedLog;
}

/**
 * The forge requests go to, or undefined when they stay in Sluice's store. `spec.repository`
 * decides when present; otherwise a remote on github.com or gitlab.com is used when its token
 * variable is set, so configuring a token is the whole opt-in. Tokens are read from the
 * environment only and never leave the client's headers.
 */
export function resolveHosting(project: Pick<Project, 'repository'>, ctx: HostingContext): HostedTarget | undefined {
  const spec = project.repository;
  if (spec?.hosting === 'none') return undefined;
  const env = ctx.env ?? process.env;
  const detected = ctx.remoteUrl ? detectHosting(ctx.remoteUrl, selfHostedBase(spec)) : undefined;
  const kind = spec?.hosting ?? detected?.kind;
  if (!kind) return undefined;
  const tokenEnv = spec?.tokenFrom?.env ?? DEFAULT_TOKEN_ENV[kind];
  const token = env[tokenEnv];
  if (!token) {
    if (!spec) return undefined; // detected, but nobody asked for it: requests stay in Sluice
    throw new PromotionError(
      'PROMOTE_HOSTING_TOKEN',
      `sluice.yaml opens promotion requests on ${kind === 'github' ? 'GitHub' : 'GitLab'}, but ${tokenEnv} is not set`,
      {
        hint: `Set ${tokenEnv} in the environment of Sluice to an API token (docs/hosted.md lists the scopes), or set spec.repository.hosting: none.`,
      },
    );
  }
  const common = { token, ...(ctx.fetch ? { fetch: ctx.fetch } : {}), ...(ctx.log ? { log: ctx.log } : {}) };
  const branchPrefix = spec?.branchPrefix ?? 'sluice/';
  const pollIntervalMs = parseDuration(spec?.pollInterval ?? '30s');
  const same = detected?.kind === kind ? detected : undefined;
  if (kind === 'github') {
    const owner = spec?.owner ?? (same?.kind === 'github' ? same.owner : undefined);
    const repo = spec?.repo ?? (same?.kind === 'github' ? same.repo : undefined);
    if (!owner || !repo) throw missing('owner and repo', ctx.remoteUrl);
    const apiUrl = spec?.apiUrl ?? same?.apiUrl ?? 'https://api.github.com';
    return {
      repo: githubRepo({ ...common, apiUrl, owner, repo }),
      branchPrefix,
      pollIntervalMs,
      key: JSON.stringify([kind, apiUrl, owner, repo, tokenEnv]),
    };
  }
  const path = spec?.project ?? (same?.kind === 'gitlab' ? same.project : undefined);
  if (!path) throw missing('project', ctx.remoteUrl);
  const apiUrl = spec?.apiUrl ?? same?.apiUrl ?? 'https://gitlab.com/api/v4';
  return {
    repo: gitlabRepo({ ...common, apiUrl, project: path }),
    branchPrefix,
    pollIntervalMs,
    key: JSON.stringify([kind, apiUrl, path, tokenEnv]),
  };
}

/** A self-managed forge is recognised on the remote by the host of its API URL. */
/** The forge a `spec.repository.apiUrl` points at, so remotes on it are recognised. */
export function selfHostedBase(spec: RepositorySpec | undefined) {
  if (!spec?.apiUrl || spec.hosting === 'none') return [];
  return [{ kind: spec.hosting, url: new URL(spec.apiUrl).origin, apiUrl: spec.apiUrl }];
}

function missing(what: string, remoteUrl: string | undefined): PromotionError {
  return new PromotionError(
    'PROMOTE_HOSTING_INVALID',
    `spec.repository names no ${what}${remoteUrl ? ' and the remote URL does not say' : ''}`,
    {
      file: 'sluice.yaml',
      hint: `Set spec.repository.${what === 'project' ? 'project' : 'owner and spec.repository.repo'} in sluice.yaml.`,
    },
  );
}
