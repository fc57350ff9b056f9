// A Compose project's networks and volumes: created before its containers, removed after them.
import type Dockerode from 'dockerode';
import type { Scope } from '../types.js';
import { ignoreMissing } from './connection.js';
import {
  COMPOSE_VERSION,
  composeProjectName,
  LABEL_NETWORK,
  LABEL_PROJECT,
  LABEL_SCOPE,
  LABEL_VERSION,
  LABEL_VOLUME,
  objectName,
  scopeLabel,
} from './labels.js';
import type { ProjectState } from './live-state.js';
import type { DesiredProject } from './plan.js';

/** Creates the project's networks the Engine does not have yet; external ones are left alone. */
export async function ensureNetworks(docker: Dockerode, scope: Scope, desired: DesiredProject): Promise<void> {
  const project = composeProjectName(scope);
  const existing = new Set((await docker.listNetworks()).map((n) => n.Name));
  for (const [key, spec] of desired.networks) {
    const name = objectName(project, key, spec);
    if (existing.has(name) || spec['external'] === true) continue;
    await docker.createNetwork({
      Name: name,
      Driver: typeof spec['driver'] === 'string' ? spec['driver'] : 'bridge',
      ...(spec['driver_opts'] ? { Options: spec['driver_opts'] as Record<string, string> } : {}),
      ...(spec['internal'] === true ? { Internal: true } : {}),
      ...(spec['attachable'] === true ? { Attachable: true } : {}),
      ...(spec['enable_ipv6'] === true ? { EnableIPv6: true } : {}),
      ...(spec['ipam'] ? { IPAM: ipamOf(spec['ipam'] as Record<string, unknown>) } : {}),
      Labels: {
        ...((spec['labels'] as Record<string, string> | undefined) ?? {}),
        [LABEL_PROJECT]: project,
        [LABEL_NETWORK]: key,
        [LABEL_VERSION]: COMPOSE_VERSION,
        [LABEL_SCOPE]: scopeLabel(scope),
      },
    });
  }
}

/** Creates the project's named volumes the Engine does not have yet; external ones are left alone. */
export async function ensureVolumes(docker: Dockerode, scope: Scope, desired: DesiredProject): Promise<void> {
  const project = composeProjectName(scope);
  const existing = new Set(((await docker.listVolumes()).Volumes ?? []).map((v) => v.Name));
  for (const [key, spec] of desired.volumes) {
    const name = objectName(project, key, spec);
    if (existing.has(name) || spec['external'] === true) continue;
    await docker.createVolume({
      Name: name,
      Driver: typeof spec['driver'] === 'string' ? spec['driver'] : 'local',
      ...(spec['driver_opts'] ? { DriverOpts: spec['driver_opts'] as Record<string, string> } : {}),
      Labels: {
        ...((spec['labels'] as Record<string, string> | undefined) ?? {}),
        [LABEL_PROJECT]: project,
        [LABEL_VOLUME]: key,
        [LABEL_VERSION]: COMPOSE_VERSION,
        [LABEL_SCOPE]: scopeLabel(scope),
      },
    });
  }
}

/**
 * Removes the networks of `state` that `keep` does not name, and its volumes only when
 * `volumes` is set: named volumes hold data, so they go only where the target opts in.
 */
export async function removeProjectObjects(
  docker: Dockerode,
  state: ProjectState,
  keep: { networks: { has(key: string): boolean }; volumes: { has(key: string): boolean } },
  volumes: boolean,
): Promise<void> {
  for (const n of state.networks.filter((x) => !keep.networks.has(x.key)))
    await docker.getNetwork(n.name).remove().catch(ignoreMissing);
  if (volumes)
    for (const v of state.volumes.filter((x) => !keep.volumes.has(x.key)))
      await docker.getVolume(v.name).remove().catch(ignoreMissing);
}

/** Compose's `ipam` (driver, config[].subnet/gateway/ip_range) in the Engine's capitalised form. */
function ipamOf(ipam: Record<string, unknown>): Dockerode.IPAM {
  const config = ((ipam['config'] as Record<string, string>[] | undefined) ?? []).map((c) => ({
    ...(c['subnet'] ? { Subnet: c['subnet'] } : {}),
    ...(c['gateway'] ? { Gateway: c['gateway'] } : {}),
    ...(c['ip_range'] ? { IPRange: c['ip_range'] } : {}),
  }));
  return { ...(typeof ipam['driver'] === 'string' ? { Driver: ipam['driver'] } : {}), Config: config };
}
