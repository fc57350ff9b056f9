import type { Project } from '../config/index.js';
import type { Plan } from '../plan/types.js';
import type { Provider, ProviderLog } from '../providers/types.js';
import { eachInLanes } from './pass.js';
import type { RevisionInForce } from './revision.js';
import type { ScopeEvent } from './scope-machine.js';
import type { ScopeEntry } from './state.js';
import type { StatusError } from './status.js';
import { describeChanges, planOptions } from './sync-runner.js';

/** What the passes read from the controller and how they report: every finding is a scope event. */
export interface LivePassHost {
  inForce(): RevisionInForce | undefined;
  readonly entries: ReadonlyMap<string, ScopeEntry>;
  /** A sync of the scope is queued or running: its own plan and health wait are newer. */
  busy(key: string): boolean;
  holds(key: string): boolean;
  provider(project: Project, target: string): Promise<Provider>;
  dispatch(key: string, event: ScopeEvent): void;
  statusError(e: unknown): StatusError;
  log: ProviderLog;
}

/**
 * The periodic looks at live state: drift (live against the desired state last rendered) and
 * health. Each pass runs one lane per target, so a target that hangs holds up only its own
 * scopes, and skips a scope whose target's live stamp has not moved since it last looked.
 */
export class LivePasses {
  constructor(private readonly host: LivePassHost) {}

  /** Compares live with desired for every scope; drift heals with selfHeal, else shows as OutOfSync. */
  async drift(): Promise<void> {
    await eachInLanes(
      [...this.host.entries.entries()],
      ([, entry]) => entry.ref.env.target,
      ([key]) => this.driftOf(key),
    );
  }

  /** One scope's drift check; `cause` is what a target reported (a changed object, an exit). */
  async driftOf(key: string, cause?: string): Promise<void> {
    const { host } = this;
    const cur = host.inForce();
    const entry = host.entries.get(key);
    if (!cur || !entry || host.busy(key) || !host.holds(key)) return;
    const { state, ref } = entry;
    if (state.phase !== 'Synced' && !(state.phase === 'OutOfSync' && state.drift)) return;
    if (state.syncedRevision !== cur.revision) return;
    let plan: Plan;
    let quiet: string | undefined;
    try {
      const provider = await host.provider(cur.project, ref.env.target);
      const desired = entry.desired ?? (await cur.desired.of(ref.app, ref.env)).resources;
      const stamp = cause ? undefined : await provider.liveStamp?.().catch(() => undefined);
      quiet = stamp === undefined ? undefined : `${cur.revision}\0${stamp}`;
      if (quiet !== undefined && entry.desired === desired && entry.quiet?.drift === quiet) return;
      entry.desired = desired;
      plan = await provider.plan(
        scopeOf(cur.project, entry),
        [...desired],
        await planOptions(cur.project, cur.desired, ref),
      );
    } catch (e) {
      host.log.debug({ err: (e as Error).message, scope: key }, 'drift check failed');
      return;
    }
    if (host.busy(key)) return; // a sync started meanwhile; its plan is newer
    entry.plan = plan;
    const summary = describeChanges(plan);
    if (!summary) {
      host.dispatch(key, { type: 'no-drift' });
      if (quiet !== undefined) entry.quiet = { ...entry.quiet, drift: quiet };
      return;
    }
    const causes = plan.changes
      .filter((c) => c.action !== 'unchanged')
      .map((c) => `${c.kind}/${c.name}: ${c.reason ?? c.action}`);
    host.dispatch(key, { type: 'drift', causes, summary, ...(cause ? { after: cause } : {}) });
  }

  /** Reads every scope's health for status; a target that does not answer makes it Unknown. */
  async health(): Promise<void> {
    const { host } = this;
    const cur = host.inForce();
    if (!cur) return;
    await eachInLanes(
      [...host.entries.entries()],
      ([, entry]) => entry.ref.env.target,
      async ([key, entry]) => {
        if (entry.state.phase === 'Syncing' || !host.holds(key)) return;
        try {
          const provider = await host.provider(cur.project, entry.ref.env.target);
          const stamp = await provider.liveStamp?.().catch(() => undefined);
          if (stamp !== undefined && entry.quiet?.health === stamp) return;
          const resources = await provider.health(scopeOf(cur.project, entry));
          host.dispatch(key, { type: 'health', resources });
          if (stamp !== undefined) entry.quiet = { ...entry.quiet, health: stamp };
        } catch (e) {
          // A target that does not answer is Unknown, with the reason: never its last good health.
          host.dispatch(key, { type: 'health-unknown', reason: host.statusError(e).message });
        }
      },
    );
  }
}

function scopeOf(project: Project, entry: ScopeEntry) {
  return { project: project.name, app: entry.ref.app.name, env: entry.ref.env.name };
}
