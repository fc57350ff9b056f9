import type { Resource } from '../model/resource.js';
import { workloadsOf, type ArtifactRef, type ContainerRef } from '../providers/index.js';

export type { ArtifactRef, ContainerRef };

/**
 * Where the things a resource runs live, as the target kinds describe them, plus Compose
 * services: rules work on these, not on kinds. Compose has no target kind yet, so its
 * services are read here until one registers.
 */

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
}

function composeServices(r: Resource): { services: Obj; field: string } | undefined {
  if (r.apiVersion?.startsWith('compose') || r.kind === 'ComposeProject' || r.kind === 'Compose') {
    const top = obj(r['services']);
    if (top) return { services: top, field: 'services' };
    const nested = obj(obj(r['spec'])?.['services']);
    if (nested) return { services: nested, field: 'spec.services' };
  }
  return undefined;
}

function serviceContainers(r: Resource): ContainerRef[] {
  const compose = composeServices(r);
  if (!compose) return [];
  const out: ContainerRef[] = [];
  for (const [name, s] of Object.entries(compose.services)) {
    const spec = obj(s);
    if (spec) out.push({ name, spec, field: `${compose.field}.${name}`, kind: 'service' });
  }
  return out;
}

export function containers(r: Resource): ContainerRef[] {
  return [...workloadsOf(r).flatMap((w) => w.containers), ...serviceContainers(r)];
}

export function artifacts(r: Resource): ArtifactRef[] {
  const services = serviceContainers(r)
    .filter((c) => typeof c.spec['image'] === 'string')
    .map((c) => ({ ref: c.spec['image'] as string, field: `${c.field}.image`, type: 'image' as const }));
  return [...workloadsOf(r).flatMap((w) => w.artifacts), ...services];
}

/** Desired replica count and its path, for what has one (defaults to 1 when unset). */
export function replicas(r: Resource): { count: number; field: string }[] {
  const declared = workloadsOf(r).flatMap((w) => w.replicas);
  if (declared.length > 0) return declared;
  return serviceContainers(r).map((c) => {
    const v = obj(c.spec['deploy'])?.['replicas'] ?? c.spec['scale'];
    return { count: typeof v === 'number' ? v : 1, field: `${c.field}.deploy.replicas` };
  });
}
