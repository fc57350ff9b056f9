import { stringify } from 'yaml';
import type { Resource } from '../../model/resource.js';
import { apiGroup } from '../../model/resource.js';
import { extractOwned, type FieldSet } from './managed-fields.js';

/**
 * Diffs for people: live → desired, each reduced to the fields Sluice owns (so defaults and
 * other managers' fields never show up), with Secret values masked before anything is
 * rendered as text.
 */

const MASK = '*** (masked)';
const MASK_CHANGED = '*** (masked, changed)';

function isSecret(r: Pick<Resource, 'apiVersion' | 'kind'>): boolean {
  return r.kind === 'Secret' && apiGroup(r.apiVersion) === '';
}

/** The owned view of an object as plain data, ready to print. Status and identity noise removed. */
export function ownedView(obj: Resource, fs: FieldSet | undefined): Record<string, unknown> {
  const owned = (extractOwned(obj, fs) ?? {}) as Record<string, unknown>;
  const meta = (owned.metadata ?? {}) as Record<string, unknown>;
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    ...owned,
    metadata: {
      name: obj.metadata.name,
      ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
      ...meta,
    },
  };
}

function maskSecrets(before: Record<string, unknown> | undefined, after: Record<string, unknown>): void {
  for (const field of ['data', 'stringData']) {
    const a = after[field] as Record<string, unknown> | undefined;
    const b = before?.[field] as Record<string, unknown> | undefined;
    for (const k of Object.keys(a ?? {})) a![k] = b && k in b && b[k] !== a![k] ? MASK_CHANGED : MASK;
    for (const k of Object.keys(b ?? {})) b![k] = MASK;
  }
}

/**
 * Unified diff of two owned views (`before` undefined for a create, `after` undefined for
 * a delete). Secret values are replaced before rendering; a changed value still shows as changed.
 */
export function resourceDiff(
  kindRef: Pick<Resource, 'apiVersion' | 'kind'>,
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown> | undefined,
  label: string,
): string {
  const b = before ? structuredClone(before) : undefined;
  const a = after ? structuredClone(after) : undefined;
  if (isSecret(kindRef)) {
    if (a) maskSecrets(b, a);
    else if (b) maskSecrets(undefined, b);
  }
  const left = b ? stringify(b, { sortMapEntries: true }) : '';
  const right = a ? stringify(a, { sortMapEntries: true }) : '';
  return unifiedDiff(left, right, `live/${label}`, `desired/${label}`);
}

type Op = { t: ' ' | '-' | '+'; line: string };

function lineOps(a: string[], b: string[]): Op[] {
  // LCS table; manifests are small. Past a size cap, show a full replacement instead.
  if (a.length * b.length > 4_000_000)
    return [...a.map((line) => ({ t: '-' as const, line })), ...b.map((line) => ({ t: '+' as const, line }))];
  const n = a.length;
  const m = b.length;
  const dp = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      dp[i]![j] = a[i] === b[j] ? dp[i + 1]![j + 1]! + 1 : Math.max(dp[i + 1]![j]!, dp[i]![j + 1]!);
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push({ t: ' ', line: a[i]! });
      i++;
      j++;
    } else if (dp[i + 1]![j]! >= dp[i]![j + 1]!) ops.push({ t: '-', line: a[i++]! });
    else ops.push({ t: '+', line: b[j++]! });
  }
  while (i < n) ops.push({ t: '-', line: a[i++]! });
  while (j < m) ops.push({ t: '+', line: b[j++]! });
  return ops;
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  return text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
}

export function unifiedDiff(before: string, after: string, fromName: string, toName: string, context = 3): string {
  const ops = lineOps(splitLines(before), splitLines(after));
  if (ops.every((o) => o.t === ' ')) return '';
  const out = [`--- ${fromName}`, `+++ ${toName}`];
  let k = 0;
  while (k < ops.length) {
    while (k < ops.length && ops[k]!.t === ' ') k++;
    if (k >= ops.length) break;
    const start = Math.max(0, k - context);
    let end = k;
    // Extend the hunk while changes are closer than twice the context.
    for (let x = k; x < ops.length; x++) {
      if (ops[x]!.t !== ' ') end = x;
      else if (x - end > context * 2) break;
    }
    const stop = Math.min(ops.length, end + context + 1);
    let aLine = 1;
    let bLine = 1;
    for (let x = 0; x < start; x++) {
      if (ops[x]!.t !== '+') aLine++;
      if (ops[x]!.t !== '-') bLine++;
    }
    const slice = ops.slice(start, stop);
    const aLen = slice.filter((o) => o.t !== '+').length;
    const bLen = slice.filter((o) => o.t !== '-').length;
    out.push(`@@ -${aLen ? aLine : aLine - 1},${aLen} +${bLen ? bLine : bLine - 1},${bLen} @@`);
    for (const o of slice) out.push(`${o.t}${o.line}`);
    k = stop;
  }
  return out.join('\n') + '\n';
}
