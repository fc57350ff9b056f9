import { ProviderError } from '../../errors/index.js';
import type { Resource } from '../../model/resource.js';
import type { Scope, TargetLogLine, TargetLogOptions } from '../types.js';
import { KubeApiError, KubeClient, loadKubeConfig, type KubeTarget } from './client.js';
import { LABEL_APP, LABEL_ENV, LABEL_PROJECT } from './labels.js';

/**
 * `sluice logs` on a cluster: the pods of the scope's workloads, found by each workload's own
 * selector (as `kubectl logs deploy/web` does), read through the API server, which asks the
 * kubelet of the pod's node. One stream per pod and container.
 */

const WORKLOADS = [
  { kind: 'Deployment', path: '/apis/apps/v1/deployments' },
  { kind: 'StatefulSet', path: '/apis/apps/v1/statefulsets' },
  { kind: 'DaemonSet', path: '/apis/apps/v1/daemonsets' },
  { kind: 'ReplicaSet', path: '/apis/apps/v1/replicasets' },
  { kind: 'Job', path: '/apis/batch/v1/jobs' },
  { kind: 'Pod', path: '/api/v1/pods' },
] as const;

interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

interface Pod extends Resource {
  spec?: { nodeName?: string; containers?: { name: string }[]; initContainers?: { name: string }[] };
  status?: { phase?: string; conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

/** A workload's selector as a label selector string; undefined when it selects nothing. */
export function selectorString(sel: Selector | undefined): string | undefined {
  if (!sel) return undefined;
  const parts = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    const values = (e.values ?? []).join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.length ? parts.join(',') : undefined;
}

/** Why a pod has no log to read yet, or undefined when it has a node to ask. */
export function notRunningReason(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return undefined;
  const unscheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status !== 'True');
  const why = unscheduled?.message ?? unscheduled?.reason;
  return `pod ${pod.metadata.name} is not scheduled to a node (${pod.status?.phase ?? 'Pending'}${why ? `: ${why}` : ''}), so it has no log yet`;
}

async function podsOf(client: KubeClient, workload: Resource): Promise<Pod[]> {
  if (workload.kind === 'Pod') return [workload as Pod];
  const ns = workload.metadata.namespace ?? 'default';
  const selector = selectorString((workload.spec as { selector?: Selector } | undefined)?.selector);
  if (!selector) return [];
  const list = await client.request<{ items?: Pod[] }>('GET', `/api/v1/namespaces/${encodeURIComponent(ns)}/pods`, {
    query: { labelSelector: selector },
  });
  return (list.items ?? []).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

export async function* readKubeLogs(
  _dataDir: string,
  scope: Scope,
  options: TargetLogOptions,
  target: KubeTarget,
): AsyncIterable<TargetLogLine> {
  const client = await KubeClient.create(loadKubeConfig(target), { reload: () => loadKubeConfig(target) });
  try {
    const selector = `${LABEL_PROJECT}=${scope.project},${LABEL_APP}=${scope.app},${LABEL_ENV}=${scope.env}`;
    const workloads: Resource[] = [];
    for (const w of WORKLOADS) {
      const list = await client.request<{ items?: Resource[] }>('GET', w.path, { query: { labelSelector: selector } });
      for (const item of list.items ?? []) {
        if (options.workload && item.metadata.name !== options.workload) continue;
        workloads.push({ ...item, kind: w.kind });
      }
    }
    if (options.workload && workloads.length === 0)
      throw new ProviderError(
        'KUBE_NO_WORKLOAD',
        `${scope.app} in ${scope.env} has no workload named "${options.workload}" on the cluster`,
        { hint: 'Name a Deployment, StatefulSet, DaemonSet, Job or Pod the app applies.', retry: false },
      );
    const seen = new Set<string>();
    for (const w of workloads) {
      const pods = await podsOf(client, w);
      if (pods.length === 0) yield { stream: `${w.kind}/${w.metadata.name}`, text: '(no pods)' };
      for (const pod of pods) {
        const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
        if (seen.has(key)) continue; // a Deployment's pods are its ReplicaSet's pods too
        seen.add(key);
        yield* podLogs(client, pod, options);
      }
    }
  } finally {
    client.close();
  }
}

async function* podLogs(client: KubeClient, pod: Pod, options: TargetLogOptions): AsyncIterable<TargetLogLine> {
  const names = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => c.name);
  if (options.container && !names.includes(options.container))
    throw new ProviderError(
      'KUBE_NO_CONTAINER',
      `pod ${pod.metadata.name} has no container "${options.container}"; it has ${names.join(', ')}`,
      { hint: 'Pick one of its containers with --container.', retry: false },
    );
  const containers = options.container ? [options.container] : (pod.spec?.containers ?? []).map((c) => c.name);
  const notRunning = notRunningReason(pod);
  for (const container of containers) {
    const stream = `pod/${pod.metadata.name}/${container}`;
    if (notRunning) {
      yield { stream, text: `(${notRunning})` };
      continue;
    }
    let text: string;
    try {
      text = await client.requestText(
        `/api/v1/namespaces/${encodeURIComponent(pod.metadata.namespace ?? 'default')}/pods/${encodeURIComponent(pod.metadata.name)}/log`,
        {
          query: {
            container,
            ...(options.tail !== undefined ? { tailLines: options.tail } : {}),
            ...(options.sinceSeconds !== undefined ? { sinceSeconds: options.sinceSeconds } : {}),
          },
        },
      );
    } catch (e) {
      if (!(e instanceof KubeApiError)) throw e;
      // The API server could not reach the node's kubelet, or the container has not started.
      yield { stream, text: `(no log from node ${pod.spec?.nodeName}: ${e.message})` };
      continue;
    }
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    for (const line of lines) yield { stream, text: line };
  }
}
