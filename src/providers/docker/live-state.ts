import type Dockerode from 'dockerode';
import { ProviderError } from '../../errors/index.js';
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

/**
 * What the Engine says a container runs, for adopting containers started by hand and for
 * noticing one recreated by hand under Sluice's labels.
 */
export interface ObservedSettings {
  image: string;
  env: string[];
  cmd: string[] | null;
  entrypoint: string[] | null;
  /** The image's own defaults, so a service that sets no command is compared with the image's. */
  imageDefaults?: { env: string[]; cmd: string[] | null; entrypoint: string[] | null };
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
  observed: ObservedSettings;
  state: string;
  /** Exit code of an exited container. */
  exitCode?: number;
  health?: 'starting' | 'healthy' | 'unhealthy';
  ports: { target: number; published: number; protocol: string }[];
}

export interface ProjectState {
  containers: LiveContainer[];
  /**
   * Other Sluice scopes whose containers or networks carry this project's name: two scopes
   * whose `<app>-<env>` meet (app "a-b" in "c", app "a" in "b-c"), or two config repos on
   * one host. Neither may then change the project.
   */
  heldBy: string[];
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
  const heldBy = new Set<string>();
  // Networks and volumes of another scope are left out too, so prune can never remove them.
  const own = <T extends { Labels?: Record<string, string> | null }>(o: T): boolean => {
    const owner = o.Labels?.[LABEL_SCOPE];
    if (owner && owner !== scopeLabel) heldBy.add(owner);
    return !owner || owner === scopeLabel;
  };
  const ownNetworks = networks.filter(own);
  const ownVolumes = (volumes.Volumes ?? []).filter(own);
  const images = new Map<string, Promise<ObservedSettings['imageDefaults']>>();
  const mine = list.filter((c) => {
    const l = c.Labels ?? {};
    if (l[LABEL_ONEOFF] === 'True') return false;
    if (l[LABEL_SCOPE] && l[LABEL_SCOPE] !== scopeLabel) {
      heldBy.add(l[LABEL_SCOPE]);
      return false;
    }
    return true;
  });
  // One inspect per container, all in flight together: a pass over a large project costs
  // about one round trip, not one per container.
  const observed = await Promise.all(mine.map((c) => observe(docker, c.Id, images)));
  for (const [i, c] of mine.entries()) {
    const l = c.Labels ?? {};
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
      observed: observed[i]!,
      ...(spec ? { spec } : {}),
    };
    const exited = /^Exited \((\d+)\)/.exec(c.Status ?? '');
    if (exited) live.exitCode = Number(exited[1]);
    const health = healthOf(c.Status ?? '');
    if (health) live.health = health;
    containers.push(live);
  }
  return {
    containers,
    heldBy: [...heldBy].sort(),
    networks: ownNetworks.map((n) => ({ key: n.Labels?.[LABEL_NETWORK] ?? n.Name, name: n.Name })),
    volumes: ownVolumes.map((v) => ({ key: v.Labels?.[LABEL_VOLUME] ?? v.Name, name: v.Name })),
  };
}

async function observe(
  docker: Dockerode,
  id: string,
  images: Map<string, Promise<ObservedSettings['imageDefaults']>>,
): Promise<ObservedSettings> {
  const i = await docker.getContainer(id).inspect();
  if (!images.has(i.Image)) images.set(i.Image, imageDefaults(docker, i.Image));
  const defaults = await images.get(i.Image);
  const ports: string[] = [];
  for (const [k, bs] of Object.entries(i.HostConfig.PortBindings ?? {}))
    for (const b of (bs as { HostPort?: string }[] | null) ?? []) ports.push(`${k}=${b.HostPort ?? ''}`);
  return {
    image: i.Config.Image,
    env: i.Config.Env ?? [],
    cmd: i.Config.Cmd ?? null,
    entrypoint: (i.Config.Entrypoint as string[] | null | undefined) ?? null,
    ports: ports.sort(),
    restart: restartOf(i.HostConfig.RestartPolicy?.Name, i.HostConfig.RestartPolicy?.MaximumRetryCount),
    ...(defaults ? { imageDefaults: defaults } : {}),
  };
}

/** `no`, `always`, `unless-stopped`, `on-failure` or `on-failure:N`, as a compose file writes it. */
export function restartOf(name: string | undefined, count: number | undefined): string {
  if (!name || name === 'no') return 'no';
  return name === 'on-failure' && count ? `on-failure:${count}` : name;
}

async function imageDefaults(docker: Dockerode, image: string): Promise<ObservedSettings['imageDefaults']> {
  try {
    const i = await docker.getImage(image).inspect();
    return {
      env: i.Config.Env ?? [],
      cmd: i.Config.Cmd ?? null,
      entrypoint: (i.Config.Entrypoint as string[] | null | undefined) ?? null,
    };
  } catch {
    return undefined;
  }
}

/**
 * Refuses a project another Sluice scope holds: its containers would collide by name, and
 * adopting them would take another app's workload.
 */
export function assertProjectFree(project: string, scopeLabel: string, state: ProjectState): void {
  if (state.heldBy.length === 0) return;
  throw new ProviderError(
    'DOCKER_PROJECT_TAKEN',
    `Compose project "${project}" on this Docker host is run by ${state.heldBy.join(', ')}, not by ${scopeLabel}`,
    {
      retry: false,
      hint:
        'Two scopes map to one Compose project name (<app>-<env>). Rename the app or environment, or ' +
        'point one of them at another Docker host; Sluice changed nothing.',
    },
  );
}
