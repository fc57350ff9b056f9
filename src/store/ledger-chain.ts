import { createHash } from 'node:crypto';
import type { ChainedChange, ChainHead, ChainProblem, ChainVerdict } from './ledger-chain-types.js';
import type { ChangeRecord } from './ledger-types.js';

export type { ChainedChange, ChainHead, ChainProblem, ChainProblemKind, ChainVerdict } from './ledger-chain-types.js';

/**
 * The ledger's hash chain. Every change carries the hash of the one recorded before it, so a
 * row edited or deleted by hand in the database breaks the chain at that row: verifying names
 * the first entry that no longer matches. Every store computes hashes with these functions,
 * so a ledger moved between stores verifies the same.
 */

/** The previous hash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every level and `undefined` left out: one text per value. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** SHA-256 (hex) of the previous hash and the canonical JSON of the entry. */
export function chainHash(change: ChangeRecord, prevHash: string): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalJson(change)).digest('hex');
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const entriesWord = (ids: number[]) => `entr${ids.length > 1 ? 'ies' : 'y'} ${ids.join(', ')}`;

/** Walks the chain oldest first and compares where it ends with the head the store kept. */
export function verifyChain(entries: readonly ChainedChange[], head?: ChainHead): ChainVerdict {
  let prev = GENESIS_HASH;
  let prevId = 0;
  const fail = (problem: ChainProblem): ChainVerdict => ({ ok: false, entries: entries.length, head: prev, problem });
  for (const e of entries) {
    const id = e.change.id;
    if (e.hash === null || e.prevHash === null) {
      return fail({
        kind: 'unchained',
        id,
        message: `ledger entry ${id} has no hash: it was written outside Sluice or its hash was erased`,
        expected: prev,
        found: String(e.hash),
      });
    }
    const computed = chainHash(e.change, e.prevHash);
    if (computed !== e.hash) {
      return fail({
        kind: 'altered',
        id,
        message: `ledger entry ${id} (${e.change.app}@${e.change.env} ${e.change.revision.slice(0, 12)}) was altered: its content no longer matches its hash`,
        expected: e.hash,
        found: computed,
      });
    }
    if (e.prevHash !== prev) {
      // Sluice numbers entries without gaps, so missing ids say what was removed; with no id
      // missing, the entry before was rewritten together with its own hash.
      const gap = id > prevId + 1 ? range(prevId + 1, id - 1) : [];
      return fail(
        gap.length > 0
          ? {
              kind: 'removed',
              id,
              removedIds: gap,
              message: `ledger ${entriesWord(gap)} removed: entry ${id} links to a hash no remaining entry has`,
              expected: e.prevHash,
              found: prev,
            }
          : {
              kind: 'altered',
              id: prevId,
              message: `ledger entry ${prevId} was altered and its hash rewritten: entry ${id} recorded a different hash for it`,
              expected: e.prevHash,
              found: prev,
            },
      );
    }
    prev = e.hash;
    prevId = id;
  }
  if (head && (head.id !== prevId || head.hash !== prev)) {
    const gap = head.id > prevId ? range(prevId + 1, head.id) : [];
    return fail({
      kind: gap.length > 0 ? 'removed' : 'altered',
      id: gap[0] ?? prevId,
      ...(gap.length > 0 ? { removedIds: gap } : {}),
      message:
        gap.length > 0
          ? `ledger ${entriesWord(gap)} removed from the end: the last entry written was ${head.id}, the ledger ends at ${prevId}`
          : `ledger entry ${prevId} is not the last entry written (${head.id}, hash ${head.hash.slice(0, 12)})`,
      expected: `entry ${head.id} ${head.hash}`,
      found: `entry ${prevId} ${prev}`,
    });
  }
  return { ok: true, entries: entries.length, head: prev };
}
