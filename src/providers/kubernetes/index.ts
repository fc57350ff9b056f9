import type { Provider, ProviderContext } from '../types.js';
import { kubeconfigFiles, loadKubeConfig } from './client.js';
import type { KubernetesProviderOptions } from './options.js';
import { KubernetesProvider } from './provider.js';
import { targetOptions, type KubernetesTarget } from './target.js';

/**
 * A Kubernetes cluster as a target: kubeconfig + context, or the pod's service account.
 * Settings written on the target in sluice.yaml apply unless `options` names them too.
 */
export function createKubernetesProvider(
  target: KubernetesTarget,
  ctx: ProviderContext,
  options?: KubernetesProviderOptions,
): Provider {
  return new KubernetesProvider(
    loadKubeConfig(target),
    ctx,
    { ...targetOptions(target), ...options },
    { files: kubeconfigFiles(target), load: () => loadKubeConfig(target) },
  );
}

export { kubernetesTarget, targetOptions, type KubernetesTarget } from './target.js';
export type { KubernetesProviderOptions } from './options.js';
export { kubernetesScaffold } from './scaffold.js';
export type { ScaffoldOptions } from './scaffold.js';
