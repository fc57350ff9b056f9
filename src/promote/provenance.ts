import type { ArtifactRecord, ChangeRecord } from '../store/ledger-types.js';

/** Where an artifact was built from: the commit in the app's source repository, when, and the CI run. */
export interface Provenance {
  sourceCommit?: string;
  sourceTime?: string;
  ciRun?: string;
}

const stated = (c: ChangeRecord) => !!(c.sourceCommit || c.sourceTime || c.ciRun);
const identity = (a: ArtifactRecord) => a.digest ?? `${a.ref}:${a.tag ?? ''}`;

/**
 * The provenance of one artifact: what the first `set-image` that brought its digest said about
 * it. Only set-image states provenance (CI knows what it built); promotions and rollbacks copy
 * it, so their records are never a source. Undefined when no set-image of the digest said anything.
 */
export function provenanceOf(changes: readonly ChangeRecord[], artifact: ArtifactRecord): Provenance | undefined {
  const key = identity(artifact);
  const first = [...changes]
    .filter((c) => c.action === 'set-image' && stated(c) && c.artifacts.some((a) => identity(a) === key))
    .sort((a, b) => Date.parse(a.committedAt) - Date.parse(b.committedAt) || a.id - b.id)[0];
  if (!first) return undefined;
  return {
    ...(first.sourceCommit ? { sourceCommit: first.sourceCommit } : {}),
    ...(first.sourceTime ? { sourceTime: first.sourceTime } : {}),
    ...(first.ciRun ? { ciRun: first.ciRun } : {}),
  };
}

/**
 * The provenance a change of these artifacts records: that of its artifacts when they all share
 * one; empty (unknown) when any artifact has none or they came from different builds, because
 * a change record holds one source and borrowing one artifact's source for another is the lie
 * this avoids.
 */
export function provenanceFor(changes: readonly ChangeRecord[], artifacts: readonly ArtifactRecord[]): Provenance {
  if (artifacts.length === 0) return {};
  const each = artifacts.map((a) => provenanceOf(changes, a));
  if (each.some((p) => p === undefined)) return {};
  const key = (p: Provenance) => JSON.stringify([p.sourceCommit, p.sourceTime, p.ciRun]);
  return new Set(each.map((p) => key(p!))).size === 1 ? each[0]! : {};
}
