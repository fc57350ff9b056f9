import type { Resource } from '../../model/resource.js';
import type { Claim, ResourceIssue } from '../types.js';
import { serviceIssues } from './container-spec.js';
import { isComposeObject } from '../../model/compose.js';

/** What a Docker target runs: the compose renderer's objects. */
export function acceptsCompose(resource: Resource): boolean {
  return isComposeObject(resource);
}

/** Why a compose object cannot run on a Docker target, before anything is applied. */
export function composeIssues(resource: Resource): ResourceIssue[] {
  if (!isComposeObject(resource)) return [];
  const name = resource.metadata?.name;
  // Names become container, network and volume names: Compose's own rule for them.
  if (typeof name !== 'string' || !/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name))
    return [
      {
        path: ['metadata', 'name'],
        message: `${resource.kind} needs a name of letters, digits, '_', '.' or '-', starting with a letter or digit`,
        hint: 'Rename the entry under services:, networks: or volumes: in the compose file.',
      },
    ];
  if (resource.kind === 'Secret' || resource.kind === 'Config')
    return [
      {
        path: ['kind'],
        message: `compose ${resource.kind.toLowerCase()}s are not run by the docker target yet`,
        hint: 'Pass the value as an environment variable (from a SOPS-encrypted env file) or a bind mount.',
      },
    ];
  if (resource.kind !== 'Service') return [];
  const spec = resource['spec'];
  if (!spec || typeof spec !== 'object') return [{ path: ['spec'], message: 'a Service needs a spec' }];
  return serviceIssues(spec as Record<string, unknown>);
}

/** Host ports a service publishes: two services (of any app) on one Engine cannot both bind one. */
export function composeClaims(resource: Resource): Claim[] {
  if (!isComposeObject(resource) || resource.kind !== 'Service') return [];
  const ports = (resource['spec'] as { ports?: unknown } | undefined)?.ports;
  if (!Array.isArray(ports)) return [];
  const out: Claim[] = [];
  for (const p of ports as { published?: unknown; protocol?: unknown; host_ip?: unknown }[]) {
    const published = typeof p?.published === 'string' || typeof p?.published === 'number' ? String(p.published) : '';
    if (!/^\d+$/.test(published)) continue; // a range or an ephemeral port takes nothing fixed
    const protocol = typeof p.protocol === 'string' ? p.protocol : 'tcp';
    out.push({
      key: `${protocol}/${published}`,
      description: `host port ${published}/${protocol} published by Service/${resource.metadata.name}`,
    });
  }
  return out;
}
