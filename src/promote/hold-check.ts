import type { HoldRecord } from '../store/hold-types.js';
import type { ArtifactRecord, GateResult } from '../store/ledger-types.js';
import type { Store } from '../store/types.js';
import { DigestHeldError } from './errors.js';

const short = (digest: string) => digest.slice(0, 19);

/** Holds in force in an environment on any of the artifacts. */
export async function heldAmong(
  store: Store,
  project: string,
  env: string,
  artifacts: readonly ArtifactRecord[],
): Promise<HoldRecord[]> {
  const digests = new Set(artifacts.flatMap((a) => (a.digest ? [a.digest] : [])));
  if (digests.size === 0) return [];
  return (await store.holds.listHolds({ project, env })).filter((h) => digests.has(h.digest));
}

/** What a dry run and an open request show for held digests: a gate that does not pass. */
export function heldGate(holds: readonly HoldRecord[]): GateResult[] {
  if (holds.length === 0) return [];
  return [{ gate: 'held', passed: false, message: holds.map(describeHold).join('; ') }];
}

export function heldError(kind: string, app: string, env: string, holds: readonly HoldRecord[]): DigestHeldError {
  const first = holds[0]!;
  return new DigestHeldError(
    'HOLD_DIGEST_HELD',
    `${kind} of ${app} to ${env} refused: ${holds.map(describeHold).join('; ')}`,
    {
      hint: `Ship a fixed build, or, once the cause is understood, lift the hold: \`sluice hold lift ${first.digest} --env ${env} --reason "…"\` (an approver or admin).`,
    },
  );
}

function describeHold(h: HoldRecord): string {
  return `${h.artifact.name}${h.artifact.tag ? `:${h.artifact.tag}` : ''} ${short(h.digest)} is held in ${h.env} since ${h.heldAt}: ${h.reason}`;
}
