import type Dockerode from 'dockerode';
import type { ResourceIssue } from '../types.js';
import {
  COMPOSE_VERSION,
  LABEL_CONFIG_FILES,
  LABEL_CONFIG_HASH,
  LABEL_CONTAINER_NUMBER,
  LABEL_ONEOFF,
  LABEL_PROJECT,
  LABEL_REVISION,
  LABEL_SCOPE,
  LABEL_SERVICE,
  LABEL_SPEC,
  LABEL_VERSION,
  LABEL_WORKING_DIR,
  objectName,
} from './labels.js';
import type { ComposeServiceSpec } from '../../model/compose.js';
import { canonicalJson, redactedSpec } from './hash.js';

/** Service fields this provider turns into container settings; anything else is refused by validate(). */
const SUPPORTED = new Set([
  'image',
  'environment',
  'ports',
  'volumes',
  'command',
  'entrypoint',
  'depends_on',
  'healthcheck',
  'deploy',
  'restart',
  'networks',
  'labels',
  'working_dir',
  'user',
  'stop_signal',
  'stop_grace_period',
  'x-sluice',
]);

const RESTART = /^(no|always|unless-stopped|on-failure(:\d+)?)$/;
const DURATION = /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/;

export function serviceIssues(spec: Record<string, unknown>): ResourceIssue[] {
  const issues: ResourceIssue[] = [];
  const at = (path: (string | number)[], message: string, hint?: string) =>
    issues.push({ path: ['spec', ...path], message, ...(hint ? { hint } : {}) });
  for (const k of Object.keys(spec)) {
    if (!SUPPORTED.has(k))
      at([k], `the docker target does not run services with "${k}"`, 'Remove the field or run the app elsewhere.');
  }
  if (typeof spec['image'] !== 'string' || !spec['image'])
    at(['image'], 'a service needs an image', 'Build the image first; the docker target does not build.');
  const deploy = spec['deploy'] as Record<string, unknown> | undefined;
  for (const k of Object.keys(deploy ?? {}))
    if (k !== 'replicas') at(['deploy', k], `deploy.${k} is not supported by the docker target`);
  const replicas = deploy?.['replicas'];
  if (replicas !== undefined && (!Number.isInteger(replicas) || (replicas as number) < 0))
    at(['deploy', 'replicas'], 'replicas must be a whole number ≥ 0');
  if (spec['restart'] !== undefined && !RESTART.test(String(spec['restart'])))
    at(['restart'], `restart "${String(spec['restart'])}" is not one of no, always, on-failure[:N], unless-stopped`);
  const ports = (spec['ports'] ?? []) as Record<string, unknown>[];
  ports.forEach((p, i) => {
    if (typeof p['published'] === 'string' && p['published'].includes('-'))
      at(['ports', i, 'published'], 'port ranges are not supported by the docker target', 'Publish each port.');
  });
  const volumes = (spec['volumes'] ?? []) as Record<string, unknown>[];
  volumes.forEach((v, i) => {
    // The renderer writes a bind the compose file gave relative as a path inside the config
    // repo; the Engine's host has no checkout of it.
    if (v['type'] === 'bind' && typeof v['source'] === 'string' && !v['source'].startsWith('/'))
      at(
        ['volumes', i, 'source'],
        `bind mount of ${v['source']} from the config repo: the Docker host has no copy of the repo`,
        'Bind an absolute path on the Docker host, or bake the files into the image.',
      );
  });
  const hc = spec['healthcheck'] as Record<string, unknown> | undefined;
  for (const k of ['interval', 'timeout', 'start_period', 'start_interval'] as const) {
    const v = hc?.[k];
    if (v !== undefined && !DURATION.test(String(v)))
      at(['healthcheck', k], `"${String(v)}" is not a duration like 10s or 1m30s`);
  }
  return issues;
}

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** A Compose duration (`1m30s`, `500ms`) in nanoseconds, as the Engine API wants it. */
export function durationNs(d: string): number {
  let total = 0;
  for (const m of d.matchAll(/(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)/g)) total += Number(m[1]) * UNIT_NS[m[2]!]!;
  return Math.round(total);
}

export interface ContainerContext {
  project: string;
  scopeLabel: string;
  service: string;
  number: number;
  hash: string;
  revision: string;
  /** Top-level volumes by key, for the names their mounts use. */
  volumes: Map<string, Record<string, unknown>>;
  /** Top-level networks by key. */
  networks: Map<string, Record<string, unknown>>;
  /** Where the config repo's compose files would be, for `docker compose` labels. */
  workingDir: string;
}

/** Networks a service joins, by key; `default` when it names none (as Compose does). */
export function serviceNetworks(spec: ComposeServiceSpec): string[] {
  const keys = Object.keys(spec.networks ?? {});
  return keys.length > 0 ? keys : ['default'];
}

export function containerLabels(spec: ComposeServiceSpec, c: ContainerContext): Record<string, string> {
  return {
    ...(spec.labels ?? {}),
    [LABEL_PROJECT]: c.project,
    [LABEL_SERVICE]: c.service,
    [LABEL_CONTAINER_NUMBER]: String(c.number),
    [LABEL_CONFIG_HASH]: c.hash,
    [LABEL_ONEOFF]: 'False',
    [LABEL_VERSION]: COMPOSE_VERSION,
    [LABEL_WORKING_DIR]: c.workingDir,
    [LABEL_CONFIG_FILES]: `${c.workingDir}/compose.yaml`,
    [LABEL_SCOPE]: c.scopeLabel,
    [LABEL_REVISION]: c.revision,
    [LABEL_SPEC]: canonicalJson(redactedSpec(c.service, spec)),
  };
}

function restartPolicy(restart: string | undefined): Dockerode.HostRestartPolicy {
  if (!restart || restart === 'no') return { Name: 'no' };
  const [name, count] = restart.split(':');
  return count ? { Name: name!, MaximumRetryCount: Number(count) } : { Name: name! };
}

/** The Engine API create options of one container of a service. */
export function createOptions(
  name: string,
  spec: ComposeServiceSpec,
  c: ContainerContext,
): Dockerode.ContainerCreateOptions {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp?: string; HostPort: string }[]> = {};
  const proxied = proxiedPorts(spec).length > 0;
  for (const p of spec.ports ?? []) {
    const key = `${p.target}/${p.protocol ?? 'tcp'}`;
    exposed[key] = {};
    (bindings[key] ??= []).push(
      proxied && isFixed(p)
        ? // Sluice holds the published port and forwards to this one (port-proxy.ts).
          { HostIp: '127.0.0.1', HostPort: '' }
        : { HostPort: p.published ?? '', ...(p.host_ip ? { HostIp: p.host_ip } : {}) },
    );
  }
  const mounts: Dockerode.MountSettings[] = (spec.volumes ?? []).map((v) => {
    if (v.type === 'volume') {
      const source = v.source ? objectName(c.project, v.source, c.volumes.get(v.source) ?? {}) : '';
      return {
        Type: 'volume',
        Source: source,
        Target: v.target,
        ReadOnly: v.read_only === true,
        ...(v.volume?.nocopy !== undefined ? { VolumeOptions: { NoCopy: v.volume.nocopy } } : {}),
      } as Dockerode.MountSettings;
    }
    if (v.type === 'bind')
      return {
        Type: 'bind',
        Source: v.source ?? '',
        Target: v.target,
        ReadOnly: v.read_only === true,
        ...(v.bind?.propagation ? { BindOptions: { Propagation: v.bind.propagation } } : {}),
      } as Dockerode.MountSettings;
    const tmpfs = {
      ...(v.tmpfs?.size !== undefined ? { SizeBytes: bytes(v.tmpfs.size) } : {}),
      ...(v.tmpfs?.mode !== undefined ? { Mode: v.tmpfs.mode } : {}),
    };
    return {
      Type: 'tmpfs',
      Target: v.target,
      ...(Object.keys(tmpfs).length > 0 ? { TmpfsOptions: tmpfs } : {}),
    } as Dockerode.MountSettings;
  });
  const env = Object.entries(spec.environment ?? {})
    .filter((e): e is [string, string] => e[1] !== null)
    .map(([k, v]) => `${k}=${v}`);
  const hc = spec.healthcheck;
  const networks = serviceNetworks(spec);
  const first = networks[0]!;
  const grace = spec['stop_grace_period'];
  return {
    name,
    Image: spec.image,
    Env: env,
    Labels: containerLabels(spec, c),
    ...(spec.command ? { Cmd: spec.command } : {}),
    ...(spec.entrypoint ? { Entrypoint: spec.entrypoint } : {}),
    ...(typeof spec['working_dir'] === 'string' ? { WorkingDir: spec['working_dir'] } : {}),
    ...(typeof spec['user'] === 'string' ? { User: spec['user'] } : {}),
    ...(typeof spec['stop_signal'] === 'string' ? { StopSignal: spec['stop_signal'] } : {}),
    ...(typeof grace === 'string' ? { StopTimeout: Math.ceil(durationNs(grace) / 1e9) } : {}),
    ExposedPorts: exposed,
    ...(hc?.disable
      ? { Healthcheck: { Test: ['NONE'] } }
      : hc?.test
        ? {
            Healthcheck: {
              Test: hc.test,
              ...(hc.start_interval ? { StartInterval: durationNs(hc.start_interval) } : {}),
              ...(hc.interval ? { Interval: durationNs(hc.interval) } : {}),
              ...(hc.timeout ? { Timeout: durationNs(hc.timeout) } : {}),
              ...(hc.retries !== undefined ? { Retries: hc.retries } : {}),
              ...(hc.start_period ? { StartPeriod: durationNs(hc.start_period) } : {}),
            },
          }
        : {}),
    HostConfig: {
      PortBindings: bindings,
      Mounts: mounts,
      RestartPolicy: restartPolicy(spec.restart),
      NetworkMode: objectName(c.project, first, c.networks.get(first) ?? {}),
    },
    NetworkingConfig: {
      EndpointsConfig: {
        [objectName(c.project, first, c.networks.get(first) ?? {})]: endpoint(spec, first, c.service),
      },
    },
  };
}

/** How a container joins one of its service's networks: reachable by the service name and any aliases. */
export function endpoint(spec: ComposeServiceSpec, network: string, service: string): Record<string, unknown> {
  const n = spec.networks?.[network] ?? {};
  const ipam = {
    ...(n.ipv4_address ? { IPv4Address: n.ipv4_address } : {}),
    ...(n.ipv6_address ? { IPv6Address: n.ipv6_address } : {}),
  };
  return {
    Aliases: [service, ...(n.aliases ?? [])],
    ...(Object.keys(ipam).length > 0 ? { IPAMConfig: ipam } : {}),
  };
}

const UNIT_BYTES: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** `64m`, `1g` or a number of bytes, as compose writes a tmpfs size. */
function bytes(v: number | string): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+)([bkmg])?b?$/i.exec(v.trim());
  return m ? Number(m[1]) * UNIT_BYTES[(m[2] ?? 'b').toLowerCase()]! : Number(v);
}

type PortSpec = NonNullable<ComposeServiceSpec['ports']>[number];

const isFixed = (p: PortSpec) => p.published !== undefined && p.published !== '' && p.published !== '0';

/** Whether the service binds fixed host ports, which two containers cannot hold at once. */
export function publishesFixedPorts(spec: ComposeServiceSpec): boolean {
  return (spec.ports ?? []).some(isFixed);
}

export interface ProxiedPort {
  host: string;
  port: number;
  target: number;
}

/**
 * The fixed host ports Sluice holds for a service and forwards to its containers, so a
 * replacement never leaves the port closed: all of them when every fixed port is TCP; none
 * otherwise (UDP is published by the Engine, and the service is replaced stop-first).
 */
export function proxiedPorts(spec: ComposeServiceSpec): ProxiedPort[] {
  const fixed = (spec.ports ?? []).filter(isFixed);
  if (fixed.some((p) => (p.protocol ?? 'tcp') !== 'tcp')) return [];
  return fixed.map((p) => ({ host: p.host_ip || '0.0.0.0', port: Number(p.published), target: p.target }));
}

/**
 * `target/proto=published` of each binding the container should have, sorted, as live-state
 * reads them; with `proxied` false, as the Engine binds them when it publishes the fixed ports
 * itself (a container started by `docker compose up`).
 */
export function expectedBindings(spec: ComposeServiceSpec, proxied = proxiedPorts(spec).length > 0): string[] {
  return (spec.ports ?? [])
    .map((p) => `${p.target}/${p.protocol ?? 'tcp'}=${proxied && isFixed(p) ? '' : (p.published ?? '')}`)
    .sort();
}
