import type { HealthStatus } from '../../plan/types.js';
import type { Resource } from '../../model/resource.js';
import { apiGroup } from '../../model/resource.js';

/**
 * Health from an object's own status, per kind, the way `kubectl rollout status` and the
 * usual controllers judge it. Pure: callers pass the live object from the watch cache.
 */

export interface HealthVerdict {
  status: HealthStatus;
  message?: string;
}

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {};
}
function num(v: unknown, fallback = 0): number {
  return typeof v === 'number' ? v : fallback;
}
function conditions(status: Obj): Condition[] {
  return Array.isArray(status.conditions) ? (status.conditions as Condition[]) : [];
}
function condition(status: Obj, type: string): Condition | undefined {
  return conditions(status).find((c) => c.type === type);
}
const healthy = (message?: string): HealthVerdict => (message ? { status: 'Healthy', message } : { status: 'Healthy' });
const progressing = (message: string): HealthVerdict => ({ status: 'Progressing', message });
const degraded = (message: string): HealthVerdict => ({ status: 'Degraded', message });

/** The controller has not caught up with the latest spec: nothing else in status can be trusted yet. */
function staleGeneration(o: Resource, status: Obj): HealthVerdict | undefined {
  const generation = num(o.metadata.generation, 0);
  if ('observedGeneration' in status || generation > 0) {
    if (num(status.observedGeneration, -1) < generation)
      return progressing('waiting for the controller to observe the latest spec');
  }
  return undefined;
}

function deployment(o: Resource, spec: Obj, status: Obj): HealthVerdict {
  if (spec.paused === true) return { status: 'Suspended', message: 'rollout is paused' };
  const stale = staleGeneration(o, status);
  if (stale) return stale;
  const cond = condition(status, 'Progressing');
  if (cond?.reason === 'ProgressDeadlineExceeded')
    return degraded(`rollout exceeded its progress deadline: ${cond.message ?? ''}`.trim());
  const want = num(spec.replicas, 1);
  const updated = num(status.updatedReplicas);
  const total = num(status.replicas);
  const available = num(status.availableReplicas);
  if (updated < want) return progressing(`${updated} of ${want} updated replicas`);
  if (total > updated) return progressing(`${total - updated} old replicas pending termination`);
  if (available < updated) return progressing(`${available} of ${updated} updated replicas available`);
  return healthy();
}

function statefulSet(o: Resource, spec: Obj, status: Obj): HealthVerdict {
  const stale = staleGeneration(o, status);
  if (stale) return stale;
  const strategy = obj(spec.updateStrategy);
  if (strategy.type === 'OnDelete') return healthy('OnDelete update strategy: rollout is manual');
  const want = num(spec.replicas, 1);
  const ready = num(status.readyReplicas);
  if (ready < want) return progressing(`${ready} of ${want} replicas ready`);
  const partition = num(obj(strategy.rollingUpdate).partition, 0);
  if (partition > 0) {
    const updated = num(status.updatedReplicas);
    if (updated < want - partition)
      return progressing(`${updated} of ${want - partition} replicas above the partition updated`);
    return healthy(`partitioned rollout: ${want - partition} replicas updated`);
  }
  if (status.updateRevision && status.currentRevision !== status.updateRevision) {
    return progressing(`${num(status.updatedReplicas)} of ${want} replicas at the new revision`);
  }
  return healthy();
}

function daemonSet(o: Resource, spec: Obj, status: Obj): HealthVerdict {
  const stale = staleGeneration(o, status);
  if (stale) return stale;
  if (obj(spec.updateStrategy).type === 'OnDelete') return healthy('OnDelete update strategy: rollout is manual');
  const want = num(status.desiredNumberScheduled);
  const updated = num(status.updatedNumberScheduled);
  const available = num(status.numberAvailable);
  if (updated < want) return progressing(`${updated} of ${want} nodes run the updated pod`);
  if (available < want) return progressing(`${available} of ${want} updated pods available`);
  return healthy();
}

function replicaSet(o: Resource, spec: Obj, status: Obj): HealthVerdict {
  const stale = staleGeneration(o, status);
  if (stale) return stale;
  const failure = condition(status, 'ReplicaFailure');
  if (failure?.status === 'True') return degraded(failure.message ?? 'replica failure');
  const want = num(spec.replicas, 1);
  const available = num(status.availableReplicas);
  return available < want ? progressing(`${available} of ${want} replicas available`) : healthy();
}

function job(spec: Obj, status: Obj): HealthVerdict {
  const failed = condition(status, 'Failed');
  if (failed?.status === 'True') return degraded(failed.message ?? failed.reason ?? 'job failed');
  const complete = condition(status, 'Complete');
  if (complete?.status === 'True') return healthy('completed');
  if (spec.suspend === true) return { status: 'Suspended', message: 'job is suspended' };
  return progressing(`${num(status.active)} active, ${num(status.succeeded)} succeeded`);
}

const BAD_WAIT = new Set([
  'CrashLoopBackOff',
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
]);

function pod(status: Obj): HealthVerdict {
  const phase = status.phase;
  if (phase === 'Succeeded') return healthy('completed');
  if (phase === 'Failed') return degraded(typeof status.message === 'string' ? status.message : 'pod failed');
  const containers = [
    ...(Array.isArray(status.initContainerStatuses) ? status.initContainerStatuses : []),
    ...(Array.isArray(status.containerStatuses) ? status.containerStatuses : []),
  ] as Obj[];
  for (const c of containers) {
    const waiting = obj(obj(c.state).waiting);
    if (typeof waiting.reason === 'string' && BAD_WAIT.has(waiting.reason))
      return degraded(`container ${String(c.name)}: ${waiting.reason}`);
  }
  if (condition(status, 'Ready')?.status === 'True') return healthy();
  return progressing(`pod is ${typeof phase === 'string' ? phase : 'Pending'}`);
}

function hasIngress(status: Obj): boolean {
  const ing = obj(status.loadBalancer).ingress;
  return Array.isArray(ing) && ing.length > 0;
}

function genericConditions(status: Obj): HealthVerdict {
  const stalled = condition(status, 'Stalled');
  if (stalled?.status === 'True') return degraded(stalled.message ?? 'stalled');
  const reconciling = condition(status, 'Reconciling');
  if (reconciling?.status === 'True') return progressing(reconciling.message ?? 'reconciling');
  for (const type of ['Ready', 'Available']) {
    const c = condition(status, type);
    if (!c) continue;
    if (c.status === 'True') return healthy();
    if (c.status === 'False') return progressing(c.message ?? c.reason ?? `${type} is False`);
    return progressing(`${type} is ${c.status ?? 'Unknown'}`);
  }
  return healthy();
}

export function evaluateHealth(o: Resource): HealthVerdict {
  if (o.metadata.deletionTimestamp) return progressing('being deleted');
  const group = apiGroup(o.apiVersion);
  const spec = obj(o.spec);
  const status = obj(o.status);
  switch (`${o.kind}.${group}`) {
    case 'Deployment.apps':
      return deployment(o, spec, status);
    case 'StatefulSet.apps':
      return statefulSet(o, spec, status);
    case 'DaemonSet.apps':
      return daemonSet(o, spec, status);
    case 'ReplicaSet.apps':
      return replicaSet(o, spec, status);
    case 'Job.batch':
      return job(spec, status);
    case 'CronJob.batch':
      return spec.suspend === true ? { status: 'Suspended', message: 'cron job is suspended' } : healthy();
    case 'Pod.':
      return pod(status);
    case 'Service.':
      return spec.type === 'LoadBalancer' && !hasIngress(status)
        ? progressing('waiting for a load balancer address')
        : healthy();
    case 'PersistentVolumeClaim.':
      if (status.phase === 'Bound') return healthy();
      if (status.phase === 'Lost') return degraded('volume lost');
      return progressing(`claim is ${typeof status.phase === 'string' ? status.phase : 'Pending'}`);
    case 'Ingress.networking.k8s.io':
      return hasIngress(status) ? healthy() : progressing('waiting for an ingress address');
    case 'CustomResourceDefinition.apiextensions.k8s.io': {
      const names = condition(status, 'NamesAccepted');
      if (names?.status === 'False') return degraded(names.message ?? 'names not accepted');
      return condition(status, 'Established')?.status === 'True' ? healthy() : progressing('waiting to be established');
    }
    case 'Namespace.':
      return status.phase === 'Terminating' ? progressing('terminating') : healthy();
    default:
      return genericConditions(status);
  }
}
