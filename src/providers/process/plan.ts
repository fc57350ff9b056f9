import type { PlanOptions } from '../types.js';
import type { Change, Plan } from '../../plan/types.js';
import { summarize } from '../../plan/types.js';
import { processKey } from './spec.js';
import type { RestartPolicy } from './spec.js';
import type { RedactedSpec } from './spec-hash.js';
import { stableJson } from './spec-hash.js';

/** One replica as it runs (or last ran). */
export interface LiveReplicaView {
  index: number;
  pid?: number;
  running: boolean;
  specHash: string;
  spec: RedactedSpec;
  port?: number;
}

/** One Process as the provider sees it now. */
export interface LiveProcessView {
  name: string;
  /** Replica count of the last successful apply, when known. */
  appliedReplicas?: number;
  restartPolicy?: RestartPolicy;
  terminationGracePeriodSeconds?: number;
  /** Where Sluice listens for the Process now; undefined when it does not. */
  service?: { port: number; address: string };
  replicas: LiveReplicaView[];
}

export interface DesiredProcessView {
  name: string;
  spec: RedactedSpec;
  specHash: string;
}

/**
 * Desired vs live, without I/O. Env values arrive already redacted (fingerprints), so reasons
 * and diffs can name a changed variable without ever holding its value.
 */
export function planProcesses(
  desired: readonly DesiredProcessView[],
  live: readonly LiveProcessView[],
  options: PlanOptions,
): Plan {
  const changes: Change[] = [];
  const liveByName = new Map(live.map((l) => [l.name, l]));
  for (const d of desired) {
    const key = processKey(d.name);
    const l = liveByName.get(d.name);
    if (!l || (l.replicas.length === 0 && l.appliedReplicas === undefined)) {
      const n = d.spec.replicas;
      changes.push({
        action: 'create',
        key,
        kind: 'Process',
        name: d.name,
        reason: n === 0 ? 'new, with 0 replicas' : `not running (${n} replica${n === 1 ? '' : 's'} to start)`,
        diff: specDiff(undefined, d.spec),
      });
      continue;
    }
    const reasons = processReasons(d, l);
    if (reasons.length === 0) {
      changes.push({ action: 'unchanged', key, kind: 'Process', name: d.name });
    } else {
      const before = representative(l, d.specHash);
      changes.push({
        action: 'update',
        key,
        kind: 'Process',
        name: d.name,
        reason: reasons.join('; '),
        diff: specDiff(
          before && { ...before, replicas: l.appliedReplicas ?? new Set(l.replicas.map((r) => r.index)).size },
          d.spec,
        ),
      });
    }
  }
  if (options.prune) {
    const wanted = new Set(desired.map((d) => d.name));
    for (const l of live) {
      if (wanted.has(l.name)) continue;
      changes.push({
        action: 'delete',
        key: processKey(l.name),
        kind: 'Process',
        name: l.name,
        reason: 'not in Git any more',
      });
    }
  }
  return { changes, summary: summarize(changes) };
}

function processReasons(d: DesiredProcessView, l: LiveProcessView): string[] {
  const reasons: string[] = [];
  const add = (r: string) => {
    if (!reasons.includes(r)) reasons.push(r);
  };

  const stale = l.replicas.filter((r) => r.specHash !== d.specHash && r.index < d.spec.replicas);
  for (const r of stale) {
    const fields = fieldChanges(r.spec, d.spec);
    if (fields.length === 0) add('spec changed');
    fields.forEach(add);
  }
  if (l.restartPolicy !== undefined && l.restartPolicy !== d.spec.restartPolicy) {
    add(`restartPolicy ${l.restartPolicy} → ${d.spec.restartPolicy}`);
  }
  if (
    l.terminationGracePeriodSeconds !== undefined &&
    l.terminationGracePeriodSeconds !== d.spec.terminationGracePeriodSeconds
  ) {
    add(`terminationGracePeriodSeconds ${l.terminationGracePeriodSeconds} → ${d.spec.terminationGracePeriodSeconds}`);
  }

  // Compared only once something was applied: before that, the whole Process is new anyway.
  const listening = l.service ? `${l.service.address}:${l.service.port}` : 'none';
  const wanted = d.spec.service ? `${d.spec.service.address}:${d.spec.service.port}` : 'none';
  if (l.appliedReplicas !== undefined && listening !== wanted) add(`service ${listening} → ${wanted}`);

  const indices = new Set(l.replicas.map((r) => r.index));
  const applied = l.appliedReplicas ?? indices.size;
  const want = d.spec.replicas;
  if (applied !== want) add(`replicas ${applied} → ${want}`);
  for (let i = 0; i < want; i++) {
    const running = l.replicas.some((r) => r.index === i && r.running);
    // A missing index above the applied count is explained by the scale-up already named.
    if (!running && i < applied) add(`replica ${d.name}-${i} not running`);
  }
  for (const i of [...indices].sort((a, b) => a - b)) {
    if (i >= want && i >= applied) add(`extra replica ${d.name}-${i}`);
  }
  return reasons;
}

/** Why two specs differ, field by field, in a few words each. */
export function fieldChanges(before: RedactedSpec, after: RedactedSpec): string[] {
  const out: string[] = [];
  if (before.command !== after.command) out.push(`command ${before.command} → ${after.command}`);
  if (stableJson(before.args) !== stableJson(after.args)) out.push('args changed');
  const keys = [...new Set([...Object.keys(before.env), ...Object.keys(after.env)])].sort();
  for (const k of keys) {
    const a = before.env[k];
    const b = after.env[k];
    if (a === b) continue;
    out.push(a === undefined ? `env.${k} added` : b === undefined ? `env.${k} removed` : `env.${k} changed`);
  }
  if ((before.workingDir ?? '') !== (after.workingDir ?? '')) out.push('workingDir changed');
  if (before.port !== after.port) out.push(`port ${before.port ?? 'none'} → ${after.port ?? 'none'}`);
  if (stableJson(before.healthCheck ?? null) !== stableJson(after.healthCheck ?? null)) out.push('healthCheck changed');
  if (stableJson(before.artifact ?? null) !== stableJson(after.artifact ?? null)) {
    const a = before.artifact?.sha256.slice(0, 12) ?? 'none';
    const b = after.artifact?.sha256.slice(0, 12) ?? 'none';
    out.push(a === b ? 'artifact location changed' : `artifact ${a} → ${b}`);
  }
  return out;
}

/** The live spec to diff against: the first replica still on an older spec, else the first one. */
function representative(l: LiveProcessView, desiredHash: string): RedactedSpec | undefined {
  const sorted = [...l.replicas].sort((a, b) => a.index - b.index);
  return (sorted.find((r) => r.specHash !== desiredHash) ?? sorted[0])?.spec;
}

/** A line diff of the flattened specs; env values are fingerprints, never the values. */
export function specDiff(before: RedactedSpec | undefined, after: RedactedSpec): string {
  const a = flatten('spec', before ?? {});
  const b = flatten('spec', after);
  const lines: string[] = [];
  for (const k of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const va = a.get(k);
    const vb = b.get(k);
    if (va === vb) continue;
    if (va !== undefined) lines.push(`- ${k}: ${va}`);
    if (vb !== undefined) lines.push(`+ ${k}: ${vb}`);
  }
  return lines.join('\n');
}

function flatten(prefix: string, value: unknown, out = new Map<string, string>()): Map<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) if (v !== undefined) flatten(`${prefix}.${k}`, v, out);
  } else {
    out.set(prefix, JSON.stringify(value));
  }
  return out;
}
