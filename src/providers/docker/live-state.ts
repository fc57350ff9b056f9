import type Dockerode from 'dockerode';
import {
  LABEL_CONFIG_HASH,
  LABEL_CONTAINER_NUMBER,
  LABEL_NETWORK,
  LABEL_ONEOFF,
  LABEL_PROJECT,
  LABEL_SCOPE,
  LABEL_SERVICE,
  LABEL_SPEC,
  LABEL_VOLUME,
} from './labels.js';

/** Settings of a container started outside Sluice (no spec label), read back for adoption. */
export interface ObservedSettings {
  image: string;
  env: string[];
  cmd: string[] | null;
  entrypoint: string[] | null;
  /** `target/proto=published` of every binding, sorted. */
  ports: string[];
  restart: string;
}

export interface LiveContainer {
  id: string;
  name: string;
  service: string;
  number: number;
  hash: string;
  /** The redacted spec it was created from, when Sluice created it. */
  spec?: Record<string, unknown>;
  /** Present for containers without a spec label: what the Engine says they run. */
  observed?: ObservedSettings;
  state: string;
  /** Exit code of an exited container. */
  exitCode?: number;
  health?: 'starting' | 'healthy' | 'unhealthy';
  ports: { target: number; published: number; protocol: string }[];
}

export interface ProjectState {
  containers: LiveContainer[];
  networks: { key: string; name: string }[];
  volumes: { key: string; name: string }[];
}

function healthOf(status: string): LiveContainer['health'] {
  if (status.includes('(healthy)')) return 'healthy';
  if (status.includes('(unhealthy)')) return 'unhealthy';
  if (status.includes('health: starting')) return 'starting';
  return undefined;
}

function parseSpec(v: string | undefined): Record<string, unknown> | undefined {
  if (!v) return undefined;
  try {
    return JSON.parse(v) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/**
 * Everything of a Compose project on the Engine. Containers another Sluice scope labelled
 * are left out; containers of the project without a scope label (started with `docker
 * compose up`) are included, so they can be adopted.
 */
export async function readProject(docker: Dockerode, project: string, scopeLabel: string): Promise<ProjectState> {
  const filters = { label: [`${LABEL_PROJECT}=${project}`] };
  const [list, networks, volumes] = await Promise.all([
    docker.listContainers({ all: true, filters }),
    docker.listNetworks({ filters }),
    docker.listVolumes({ filters }),
  ]);
  const containers: LiveContainer[] = [];
  for (const c of list) {
    const l = c.Labels ?? {};
    if (l[LABEL_ONEOFF] === 'True') continue;
    if (l[LABEL_SCOPE] && l[LABEL_SCOPE] !== scopeLabel) continue;
    const spec = parseSpec(l[LABEL_SPEC]);
    const live: LiveContainer = {
      id: c.Id,
      name: (c.Names[0] ?? '').replace(/^\//, ''),
      service: l[LABEL_SERVICE] ?? '',
      number: Number(l[LABEL_CONTAINER_NUMBER] ?? 0),
      hash: l[LABEL_CONFIG_HASH] ?? '',
      state: c.State,
      ports: (c.Ports ?? [])
        .filter((p) => p.PublicPort !== undefined)
        .map((p) => ({ target: p.PrivatePort, published: p.PublicPort, protocol: p.Type })),
      ...(spec ? { spec } : {}),
    };
    const exited = /^Exited \((\d+)\)/.exec(c.Status ?? '');
    if (exited) live.exitCode = Number(exited[1]);
    const health = healthOf(c.Status ?? '');
    if (health) live.health = health;
    if (!spec) live.observed = await observe(docker, c.Id);
    containers.push(live);
  }
  return {
    containers,
    networks: networks.map((n) => ({ key: n.Labels?.[LABEL_NETWORK] ?? n.Name, name: n.Name })),
    volumes: (volumes.Volumes ?? []).map((v) => ({ key: v.Labels?.[LABEL_VOLUME] ?? v.Name, name: v.Name })),
  };
}

async function observe(docker: Dockerode, id: string): Promise<ObservedSettings> {
  const i = await docker.getContainer(id).inspect();
  const ports: string[] = [];
  for (const [k, bs] of Object.entries(i.HostConfig.PortBindings ?? {}))
    for (const b of (bs as { HostPort?: string }[] | null) ?? []) ports.push(`${k}=${b.HostPort ?? ''}`);
  return {
    image: i.Config.Image,
    env: i.Config.Env ?? [],
    cmd: i.Config.Cmd ?? null,
    entrypoint: (i.Config.Entrypoint as string[] | null | undefined) ?? null,
    ports: ports.sort(),
    restart: i.HostConfig.RestartPolicy?.Name || 'no',
  };
}
