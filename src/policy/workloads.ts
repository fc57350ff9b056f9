import type { Resource } from '../model/resource.js';

/**
 * Where the things a resource runs live: containers of Kubernetes pod templates, Compose
 * services and Sluice Process artifacts. Rules work on these, not on kinds.
 */
export interface ContainerRef {
  name: string;
  /** The container object (Kubernetes) or service object (Compose). */
  spec: Record<string, unknown>;
  /** Dotted path of the container, for messages. */
  field: string;
  kind: 'container' | 'initContainer' | 'service';
}

export interface ArtifactRef {
  /** What is shown in messages: an image, or an artifact URL/path. */
  ref: string;
  field: string;
  type: 'image' | 'artifact';
  /** For artifacts: the sha256 the Process pins, if any. */
  sha256?: string;
}

export const WORKLOAD_KINDS = new Set(['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'ReplicationController']);
const SLUICE_API = 'sluice.dev/';

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
}

/** The pod spec of a workload and its path, or undefined for other kinds. */
export function podSpec(r: Resource): { spec: Obj; field: string } | undefined {
  if (!WORKLOAD_KINDS.has(r.kind)) return undefined;
  const spec = obj(r['spec']);
  if (!spec) return undefined;
  if (r.kind === 'Pod') return { spec, field: 'spec' };
  if (r.kind === 'CronJob') {
    const p = obj(obj(obj(obj(spec['jobTemplate'])?.['spec'])?.['template'])?.['spec']);
    return p ? { spec: p, field: 'spec.jobTemplate.spec.template.spec' } : undefined;
  }
  const p = obj(obj(spec['template'])?.['spec']);
  return p ? { spec: p, field: 'spec.template.spec' } : undefined;
}

export function isComposeProject(r: Resource): boolean {
  return composeServices(r) !== undefined;
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

export function isProcess(r: Resource): boolean {
  return r.kind === 'Process' && r.apiVersion?.startsWith(SLUICE_API);
}

export function containers(r: Resource): ContainerRef[] {
  const out: ContainerRef[] = [];
  const pod = podSpec(r);
  if (pod) {
    for (const [key, kind] of [['initContainers', 'initContainer'], ['containers', 'container']] as const) {
      const list = pod.spec[key];
      if (!Array.isArray(list)) continue;
      list.forEach((c, i) => {
        const spec = obj(c);
        if (spec) out.push({ name: String(spec['name'] ?? i), spec, field: `${pod.field}.${key}[${i}]`, kind });
      });
    }
  }
  const compose = composeServices(r);
  if (compose) {
    for (const [name, s] of Object.entries(compose.services)) {
      const spec = obj(s);
      if (spec) out.push({ name, spec, field: `${compose.field}.${name}`, kind: 'service' });
    }
  }
  return out;
}

export function artifacts(r: Resource): ArtifactRef[] {
  const out: ArtifactRef[] = containers(r)
    .filter((c) => typeof c.spec['image'] === 'string')
    .map((c) => ({ ref: c.spec['image'] as string, field: `${c.field}.image`, type: 'image' as const }));
  if (isProcess(r)) {
    const spec = obj(r['spec']);
    const a = spec?.['artifact'];
    if (typeof a === 'string') out.push({ ref: a, field: 'spec.artifact', type: 'artifact' });
    const ao = obj(a);
    if (ao) {
      const ref = String(ao['url'] ?? ao['path'] ?? ao['image'] ?? ao['name'] ?? 'artifact');
      const sha = typeof ao['sha256'] === 'string' ? (ao['sha256'] as string) : undefined;
      out.push({ ref, field: 'spec.artifact', type: typeof ao['image'] === 'string' ? 'image' : 'artifact', ...(sha ? { sha256: sha } : {}) });
    }
    if (typeof spec?.['image'] === 'string') out.push({ ref: spec['image'] as string, field: 'spec.image', type: 'image' });
  }
  return out;
}

/** Desired replica count and its path, for kinds that have one (defaults to 1 when unset). */
export function replicas(r: Resource): { count: number; field: string }[] {
  if (['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController'].includes(r.kind)) {
    const v = obj(r['spec'])?.['replicas'];
    return [{ count: typeof v === 'number' ? v : 1, field: 'spec.replicas' }];
  }
  if (isProcess(r)) {
    const v = obj(r['spec'])?.['replicas'];
    return [{ count: typeof v === 'number' ? v : 1, field: 'spec.replicas' }];
  }
  return containers(r)
    .filter((c) => c.kind === 'service')
    .map((c) => {
      const v = obj(c.spec['deploy'])?.['replicas'] ?? c.spec['scale'];
      return { count: typeof v === 'number' ? v : 1, field: `${c.field}.deploy.replicas` };
    });
}
