import { isSluiceError } from '../errors/index.js';
import type { Resource } from '../model/resource.js';
import type { Plan } from '../plan/types.js';
import type { ScopeState } from './scope-machine.js';
import type { AppEnvStatus, StatusError } from './status.js';
import type { ScopeRef } from './targets.js';

/** One app × environment as the controller tracks it: its machine's state and what it last planned. */
export interface ScopeEntry {
  ref: ScopeRef;
  /** The kind of the target's provider, for status. */
  provider: string;
  state: ScopeState;
  /** The newest plan (desired vs live). */
  plan?: Plan;
  /** The desired state last rendered, so drift is found by comparing, not by rendering again. */
  desired?: readonly Resource[];
  /**
   * The target's live stamp when a pass last found no drift (with the revision) and read
   * health: while it and the scope's state stay the same, the next pass has nothing to learn.
   */
  quiet?: { drift?: string; health?: string };
}

/**
 * A scope's status as the CLI, API and dashboard show it, derived from its state. An error of
 * the whole newest revision (sluice.yaml invalid, a secret that does not decrypt) is held once
 * by the controller and shown on every scope here, never copied into them.
 */
export function viewOf(
  entry: ScopeEntry,
  revisionError?: { error: StatusError; revision: string; reason: string },
): AppEnvStatus {
  const { ref, state } = entry;
  const out: AppEnvStatus = {
    app: ref.app.name,
    env: ref.env.name,
    target: ref.env.target,
    provider: entry.provider,
    sync: state.phase,
    health: state.health,
    resources: state.resources,
    autoSync: ref.env.sync === 'auto',
    selfHeal: ref.env.selfHeal,
  };
  if (state.healthReason) out.healthReason = state.healthReason;
  if (state.syncedRevision) out.syncedRevision = state.syncedRevision;
  if (state.desiredRevision) out.desiredRevision = state.desiredRevision;
  if (state.drift) out.drift = state.drift;
  if (state.reason) out.reason = state.reason;
  if (state.error) out.error = state.error;
  if (state.lastSync) out.lastSync = state.lastSync;
  if (state.verification) out.verification = state.verification;
  if (state.attempts > 0) out.attempts = state.attempts;
  if (state.nextAttemptAt !== undefined) out.nextAttemptAt = new Date(state.nextAttemptAt).toISOString();
  if (revisionError) {
    out.sync = 'Stalled';
    out.error = revisionError.error;
    out.reason = revisionError.reason;
    out.desiredRevision = revisionError.revision;
  }
  return out;
}

/** Error shape for status and the store: code, message, hint and where. */
export function toStatusError(e: unknown): StatusError {
  if (isSluiceError(e)) {
    const out: StatusError = { code: e.code, message: e.message };
    if (e.hint) out.hint = e.hint;
    const { file, line, field, resource } = e.location;
    if (file) out.file = file;
    if (line !== undefined) out.line = line;
    if (field) out.field = field;
    if (resource) out.resource = resource;
    return out;
  }
  return { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) };
}
