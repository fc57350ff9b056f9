import { ValidationError } from '../../errors/index.js';
import { celParseError } from './health-cel.js';

/** Settings of the Kubernetes provider beyond the target's connection fields. */
export interface KubernetesProviderOptions {
  /** Namespace holding the applyset parents (one ConfigMap per app × environment). Default `sluice-system`. */
  inventoryNamespace?: string;
  /** Namespace for namespaced objects that name none. Default: the kubeconfig context's namespace, else `default`. */
  defaultNamespace?: string;
  /** Custom health as CEL per group-kind (`Widget.example.com`, `Deployment.apps`); the object annotation wins. */
  healthChecks?: Record<string, string>;
  /**
   * When a field Sluice applies is held by an imperative edit (an Update such as `kubectl
   * edit` or `kubectl scale`), take it back: Git is the only writer of desired state.
   * Fields held by another applier are a conflict unless forced. Default true.
   */
  overrideEdits?: boolean;
  /** Force every apply, taking fields from any other manager (the environment allows it). Default false. */
  force?: boolean;
  /** Concurrent API requests while applying. Default 16. */
  concurrency?: number;
  /** How long a sync wave may take to become healthy before later waves are given up (ms). 0 applies waves without waiting. Default 5 minutes. */
  waveTimeoutMs?: number;
}

export interface ResolvedOptions {
  inventoryNamespace: string;
  defaultNamespace: string;
  healthChecks: Record<string, string>;
  overrideEdits: boolean;
  force: boolean;
  concurrency: number;
  waveTimeoutMs: number;
}

export function resolveOptions(o: KubernetesProviderOptions, contextNamespace: string | undefined): ResolvedOptions {
  for (const [gk, expr] of Object.entries(o.healthChecks ?? {})) {
    const error = celParseError(expr);
    if (error) {
      throw new ValidationError(
        'KUBE_BAD_HEALTH_CEL',
        `health check for ${gk} is not valid CEL: ${error.split('\n')[0]}`,
        {
          field: `healthChecks["${gk}"]`,
          hint: 'Write a CEL expression over `object` returning a bool, a status name or {"status": …, "message": …}.',
        },
      );
    }
  }
  return {
    inventoryNamespace: o.inventoryNamespace ?? 'sluice-system',
    defaultNamespace: o.defaultNamespace ?? contextNamespace ?? 'default',
    healthChecks: o.healthChecks ?? {},
    overrideEdits: o.overrideEdits ?? true,
    force: o.force ?? false,
    concurrency: o.concurrency ?? 16,
    waveTimeoutMs: o.waveTimeoutMs ?? 300_000,
  };
}
