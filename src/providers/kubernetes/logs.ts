import { ProviderError } from '../../errors/index.js';
import type { Resource } from '../../model/resource.js';
import type { Scope, TargetLogLine, TargetLogOptions } from '../types.js';
import { KubeApiError, KubeClient, loadKubeConfig, type KubeTarget } from './client.js';
import { LABEL_APP, LABEL_ENV, LABEL_PROJECT } from './labels.js';
import { LineQueue } from './log-queue.js';

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
  status?: {
    phase?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

interface ContainerStatus {
  name: string;
  state?: { running?: unknown; terminated?: unknown; waiting?: unknown };
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
    const workloads = await workloadsOf(client, scope, options);
    if (options.follow) {
      yield* followLogs(client, workloads, options);
      return;
    }
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

async function workloadsOf(client: KubeClient, scope: Scope, options: TargetLogOptions): Promise<Resource[]> {
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
  return workloads;
}

function containerNames(pod: Pod): string[] {
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => c.name);
}

function checkContainer(pod: Pod, container: string | undefined): void {
  const names = containerNames(pod);
  if (container && !names.includes(container))
    throw new ProviderError(
      'KUBE_NO_CONTAINER',
      `pod ${pod.metadata.name} has no container "${container}"; it has ${names.join(', ')}`,
      { hint: 'Pick one of its containers with --container.', retry: false },
    );
}

/** Whether the kubelet has a log of the container: it has started (and may have ended). */
function started(pod: Pod, container: string): boolean {
  const all = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const state = all.find((c) => c.name === container)?.state;
  return Boolean(state?.running ?? state?.terminated);
}

function logPath(pod: Pod): string {
  const ns = encodeURIComponent(pod.metadata.namespace ?? 'default');
  return `/api/v1/namespaces/${ns}/pods/${encodeURIComponent(pod.metadata.name)}/log`;
}

const RETRY_MS = 1000;

/**
 * `--follow`: the log of every started container of the workloads' pods as it is written,
 * and of pods that appear while following (a rollout's new ReplicaSet), found by watching
 * each workload's selector. Pods are followed from when their container starts; a pod whose
 * stream ends (deleted by the rollout, or its container exited) is not read again. Ends when
 * the signal aborts or the reader stops.
 */
async function* followLogs(
  client: KubeClient,
  workloads: Resource[],
  options: TargetLogOptions,
): AsyncIterable<TargetLogLine> {
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const queue = new LineQueue<TargetLogLine>();
  if (signal.aborted) queue.close();
  else signal.addEventListener('abort', () => queue.close(), { once: true });
  // pod uid/container → being read or read; a pod keeps its uid for its life.
  const following = new Set<string>();

  const follow = (pod: Pod): void => {
    const wanted = options.container ? [options.container] : (pod.spec?.containers ?? []).map((c) => c.name);
    for (const container of wanted) {
      if (!containerNames(pod).includes(container)) continue;
      const key = `${pod.metadata.uid ?? pod.metadata.name}/${container}`;
      if (following.has(key) || !pod.spec?.nodeName || !started(pod, container)) continue;
      following.add(key);
      const stream = `pod/${pod.metadata.name}/${container}`;
      client
        .lines(
          logPath(pod),
          {
            container,
            follow: true,
            ...(options.tail !== undefined ? { tailLines: options.tail } : {}),
            ...(options.sinceSeconds !== undefined ? { sinceSeconds: options.sinceSeconds } : {}),
          },
          '*/*',
          (text) => queue.push({ stream, text }),
          signal,
        )
        .catch((e: unknown) => {
          if (signal.aborted) return;
          // The API server could not reach the node's kubelet, or the pod is gone.
          queue.push({ stream, text: `(no log from node ${pod.spec?.nodeName}: ${(e as Error).message})` });
        });
    }
  };

  const watchPods = async (w: Resource): Promise<void> => {
    if (w.kind === 'Pod') return follow(w as Pod);
    const ns = w.metadata.namespace ?? 'default';
    const selector = selectorString((w.spec as { selector?: Selector } | undefined)?.selector);
    if (!selector) return;
    const path = `/api/v1/namespaces/${encodeURIComponent(ns)}/pods`;
    while (!signal.aborted) {
      try {
        const list = await client.request<{ items?: Pod[]; metadata?: { resourceVersion?: string } }>('GET', path, {
          query: { labelSelector: selector },
          signal,
        });
        for (const pod of list.items ?? []) follow(pod);
        await client.watch(
          path,
          { labelSelector: selector, resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: true },
          (event) => {
            if (event.type === 'ADDED' || event.type === 'MODIFIED') follow(event.object as unknown as Pod);
          },
          signal,
        );
      } catch (e) {
        if (signal.aborted) return;
        queue.push({
          stream: `${w.kind}/${w.metadata.name}`,
          text: `(watching its pods failed: ${(e as Error).message}; trying again)`,
        });
      }
      // The server ends every watch after a while; list again and go on.
      await new Promise<void>((r) => {
        const t = setTimeout(r, RETRY_MS);
        signal.addEventListener('abort', () => (clearTimeout(t), r()), { once: true });
      });
    }
  };

  try {
    // Asking for a container the pods do not have is a mistake to say at once, as without --follow.
    for (const w of workloads) if (w.kind === 'Pod') checkContainer(w as Pod, options.container);
    for (const w of workloads) {
      if (w.kind === 'Pod') continue;
      for (const pod of await podsOf(client, w)) checkContainer(pod, options.container);
    }
    for (const w of workloads) void watchPods(w);
    yield* queue.drain();
  } finally {
    stop.abort();
  }
}

async function* podLogs(client: KubeClient, pod: Pod, options: TargetLogOptions): AsyncIterable<TargetLogLine> {
  checkContainer(pod, options.container);
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
      text = await client.requestText(logPath(pod), {
        query: {
          container,
          ...(options.tail !== undefined ? { tailLines: options.tail } : {}),
          ...(options.sinceSeconds !== undefined ? { sinceSeconds: options.sinceSeconds } : {}),
        },
      });
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
