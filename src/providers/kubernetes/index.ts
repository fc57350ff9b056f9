import type { Provider, ProviderContext } from '../types.js';
import { parseDuration, type TargetSpec } from '../../config/index.js';
import { loadKubeConfig } from './client.js';
import type { KubernetesProviderOptions } from './options.js';
import { KubernetesProvider } from './provider.js';

type KubernetesTarget = Extract<TargetSpec, { provider: 'kubernetes' }>;

/**
 * A Kubernetes cluster as a target: kubeconfig + context, or the pod's service account.
 * Settings written on the target in sluice.yaml apply unless `options` names them too.
 */
export function createKubernetesProvider(
  target: KubernetesTarget,
  ctx: ProviderContext,
  options?: KubernetesProviderOptions,
): Provider {
  return new KubernetesProvider(loadKubeConfig(target), ctx, { ...targetOptions(target), ...options });
}

/** The provider settings a kubernetes target in sluice.yaml carries. */
export function targetOptions(target: KubernetesTarget): KubernetesProviderOptions {
  const o: KubernetesProviderOptions = {};
  if (target.inventoryNamespace !== undefined) o.inventoryNamespace = target.inventoryNamespace;
  if (target.defaultNamespace !== undefined) o.defaultNamespace = target.defaultNamespace;
  if (target.healthChecks !== undefined) o.healthChecks = target.healthChecks;
  if (target.overrideEdits !== undefined) o.overrideEdits = target.overrideEdits;
  if (target.concurrency !== undefined) o.concurrency = target.concurrency;
  if (target.waveTimeout !== undefined) o.waveTimeoutMs = parseDuration(target.waveTimeout);
  return o;
}

export type { KubernetesProviderOptions } from './options.js';
export { kubernetesScaffold } from './scaffold.js';
export type { ScaffoldOptions } from './scaffold.js';
