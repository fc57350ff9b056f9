import type { Provider, ProviderContext } from '../types.js';
import type { TargetSpec } from '../../config/index.js';
import { loadKubeConfig } from './client.js';
import type { KubernetesProviderOptions } from './options.js';
import { KubernetesProvider } from './provider.js';

type KubernetesTarget = Extract<TargetSpec, { provider: 'kubernetes' }>;

/** A Kubernetes cluster as a target: kubeconfig + context, or the pod's service account. */
export function createKubernetesProvider(
  target: KubernetesTarget,
  ctx: ProviderContext,
  options?: KubernetesProviderOptions,
): Provider {
  return new KubernetesProvider(loadKubeConfig(target), ctx, options);
}

export type { KubernetesProviderOptions } from './options.js';
export { kubernetesScaffold } from './scaffold.js';
export type { ScaffoldOptions } from './scaffold.js';
