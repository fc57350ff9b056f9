import { ValidationError } from '../errors/index.js';
import { parseDuration } from '../model/duration.js';
import { DEFAULT_READ_LIMITS, parseByteSize, type ReadLimits } from '../model/read-limits.js';
import type { Target } from '../providers/index.js';
import type { SigningSpec, WebhooksSpec } from './trust-schema.js';
import type { AuthSpec } from './auth-schema.js';
import type { AppSpec, EnvironmentSpec, LimitsSpec, NotificationSpec, ProjectFile, RepositorySpec } from './schema.js';

/** A validated project: sluice.yaml with defaults applied and every cross-reference checked. */
export interface Project {
  name: string;
  /** File the project was read from, for messages. */
  file: string;
  targets: Map<string, Target>;
  environments: Environment[];
  apps: App[];
  /** Where sync, drift and promotion events are sent. */
  notifications: NotificationSpec[];
  /** Where the config repo is hosted, when sluice.yaml says so. */
  repository?: RepositorySpec;
  /** Signed webhooks, when sluice.yaml configures them. */
  webhooks?: WebhooksSpec;
  /** Trusted commit-signing keys and Sluice's own signing key. */
  signing?: SigningSpec;
  /** Role grants per environment (spec.auth). */
  auth?: AuthSpec;
}

export interface Environment extends Omit<EnvironmentSpec, 'healthTimeout'> {
  /** Health wait limit in milliseconds. */
  healthTimeoutMs: number;
}

export interface App extends Omit<AppSpec, 'environments' | 'allowEmpty'> {
  /** Environments named explicitly in sluice.yaml, or undefined for "every one with an overlay". */
  environments: string[] | undefined;
  /** The app may render to no resources; without it an empty render is refused. */
  allowEmpty?: boolean;
  /** What one render of the app may read (spec.limits, or the defaults). */
  limits?: ReadLimits;
}

interface Context {
  file: string;
  locate: (path: (string | number)[]) => number | undefined;
}

export function toProject(data: ProjectFile, ctx: Context): Project {
  const fail = (path: (string | number)[], message: string, hint: string): never => {
    throw new ValidationError('CONFIG_INVALID', message, {
      file: ctx.file,
      line: ctx.locate(path),
      field: path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join(''),
      hint,
    });
  };

  const targets = new Map<string, Target>();
  for (const [name, spec] of Object.entries(data.spec.targets)) targets.set(name, { ...spec, name });

  const envNames = new Set<string>();
  const environments = data.spec.environments.map((env, i): Environment => {
    if (envNames.has(env.name)) {
      fail(
        ['spec', 'environments', i, 'name'],
        `environment "${env.name}" is defined twice`,
        'Environment names must be unique.',
      );
    }
    envNames.add(env.name);
    if (!targets.has(env.target)) {
      fail(
        ['spec', 'environments', i, 'target'],
        `environment "${env.name}" uses unknown target "${env.target}"`,
        `Define it under spec.targets, or use one of: ${[...targets.keys()].join(', ') || '(none defined)'}.`,
      );
    }
    const { healthTimeout, ...rest } = env;
    // Metric checks and gates ask the environment's Prometheus, else the project's.
    const prometheus = env.prometheus ?? data.spec.prometheus;
    const metricAt = env.verify?.findIndex((c) => c.prometheus) ?? -1;
    if (!prometheus && (metricAt >= 0 || env.promotion?.gates?.length)) {
      fail(
        ['spec', 'environments', i, ...(metricAt >= 0 ? ['verify', metricAt] : ['promotion', 'gates'])],
        `environment "${env.name}" has a Prometheus query but no Prometheus to ask`,
        'Set spec.prometheus.url (or prometheus.url on the environment).',
      );
    }
    return { ...rest, ...(prometheus ? { prometheus } : {}), healthTimeoutMs: parseDuration(healthTimeout) };
  });

  environments.forEach((env, i) => {
    const from = env.promotion?.from;
    if (from === undefined) return;
    if (from === env.name || !envNames.has(from)) {
      fail(
        ['spec', 'environments', i, 'promotion', 'from'],
        `environment "${env.name}" promotes from "${from}", which is not another environment`,
        `Use one of: ${[...envNames].filter((n) => n !== env.name).join(', ')}.`,
      );
    }
  });

  const limits = readLimits(data.spec.limits);
  const appNames = new Set<string>();
  const apps = data.spec.apps.map((app, i): App => {
    if (appNames.has(app.name))
      fail(['spec', 'apps', i, 'name'], `app "${app.name}" is defined twice`, 'App names must be unique.');
    appNames.add(app.name);
    const path = app.path.replace(/\/+$/, '');
    if (path.startsWith('/') || path.split('/').includes('..')) {
      fail(
        ['spec', 'apps', i, 'path'],
        `app path "${app.path}" leaves the repository`,
        'Use a path relative to the repo root, such as apps/<app>.',
      );
    }
    app.environments?.forEach((e, j) => {
      if (!envNames.has(e)) {
        fail(
          ['spec', 'apps', i, 'environments', j],
          `app "${app.name}" names unknown environment "${e}"`,
          `Use one of: ${[...envNames].join(', ')}.`,
        );
      }
    });
    return {
      name: app.name,
      path,
      environments: app.environments,
      limits,
      ...(app.allowEmpty ? { allowEmpty: true } : {}),
    };
  });

  const notifications = data.spec.notifications ?? [];
  notifications.forEach((sink, i) => {
    sink.environments?.forEach((e, j) => {
      if (!envNames.has(e)) {
        fail(
          ['spec', 'notifications', i, 'environments', j],
          `notification sink "${sink.name}" names unknown environment "${e}"`,
          `Use one of: ${[...envNames].join(', ')}; a typo would silence the sink.`,
        );
      }
    });
  });

  data.spec.auth?.roles.forEach((grant, i) => {
    grant.environments.forEach((e, j) => {
      if (e !== '*' && !envNames.has(e)) {
        fail(
          ['spec', 'auth', 'roles', i, 'environments', j],
          `role grant ${i + 1} (${grant.role}) names unknown environment "${e}"`,
          `Use one of: ${[...envNames].join(', ')}, or "*" for every environment.`,
        );
      }
    });
  });

  return {
    name: data.metadata.name,
    file: ctx.file,
    targets,
    environments,
    apps,
    notifications,
    ...(data.spec.repository ? { repository: data.spec.repository } : {}),
    ...(data.spec.webhooks ? { webhooks: data.spec.webhooks } : {}),
    ...(data.spec.signing ? { signing: data.spec.signing } : {}),
    ...(data.spec.auth ? { auth: data.spec.auth } : {}),
  };
}

function readLimits(spec: LimitsSpec | undefined): ReadLimits {
  if (!spec) return { ...DEFAULT_READ_LIMITS };
  return {
    maxFileSize: parseByteSize(spec.maxFileSize),
    maxRenderSize: parseByteSize(spec.maxRenderSize),
    maxDepth: spec.maxDepth,
    maxFiles: spec.maxFiles,
  };
}

export function findEnvironment(project: Project, name: string): Environment | undefined {
  return project.environments.find((e) => e.name === name);
}

export function findApp(project: Project, name: string): App | undefined {
  return project.apps.find((a) => a.name === name);
}
