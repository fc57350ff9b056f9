import type { BuiltinRule, Finding } from '../types.js';
import { containers, replicas } from '../workloads.js';

function nonEmpty(v: unknown): boolean {
  return !!v && typeof v === 'object' && Object.keys(v).length > 0;
}

export const resourcesRequired: BuiltinRule = {
  name: 'resources-required',
  description: 'Every container of a Kubernetes workload sets resources.requests and resources.limits.',
  defaultSeverity: 'warn',
  check({ object }) {
    const out: Finding[] = [];
    // Compose services have no requests and limits of this shape.
    for (const c of containers(object).filter((c) => c.kind !== 'service')) {
      const res = (c.spec['resources'] ?? {}) as Record<string, unknown>;
      const missing = ['requests', 'limits'].filter((k) => !nonEmpty(res[k]));
      if (missing.length) {
        out.push({
          message: `${c.kind} "${c.name}" has no resources.${missing.join(' or resources.')}`,
          hint: 'Set resources.requests (cpu, memory) and resources.limits (at least memory) so the scheduler can place it and a leak cannot starve its neighbours.',
          field: `${c.field}.resources`,
        });
      }
    }
    return out;
  },
};

export const replicasMinimum: BuiltinRule = {
  name: 'replicas-minimum',
  description: 'Replicated workloads run at least policy.minReplicas replicas.',
  defaultSeverity: 'off',
  configuredSeverity: (p) => (p.minReplicas !== undefined ? 'error' : undefined),
  check({ object }, { policy }) {
    const min = policy.minReplicas;
    if (min === undefined) return [];
    return replicas(object)
      .filter((r) => r.count < min)
      .map((r) => ({
        message: `runs ${r.count} replica${r.count === 1 ? '' : 's'}, fewer than the ${min} this environment requires`,
        hint: `Set ${r.field} to ${min} or more in this environment's overlay.`,
        field: r.field,
      }));
  },
};

export const labelsRequired: BuiltinRule = {
  name: 'labels-required',
  description: 'Resources carry every label in policy.requiredLabels.',
  defaultSeverity: 'off',
  configuredSeverity: (p) => (p.requiredLabels?.length ? 'error' : undefined),
  check({ object }, { policy }) {
    const labels = object.metadata?.labels ?? {};
    const missing = (policy.requiredLabels ?? []).filter((l) => !(l in labels));
    if (missing.length === 0) return [];
    return [
      {
        message: `is missing required label${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
        hint: 'Add them under metadata.labels, or once for the whole app with `labels:` (or `commonLabels:`) in kustomization.yaml.',
        field: 'metadata.labels',
      },
    ];
  },
};
