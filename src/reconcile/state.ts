import { isSluiceError } from '../errors/index.js';
import type { Plan } from '../plan/types.js';
import type { AppEnvStatus, StatusError } from './status.js';
import type { ScopeRef } from './targets.js';
import { scopeKey } from './targets.js';

/** The controller's live picture of every app × environment, plus each one's newest plan. */
export class StatusBoard {
  private readonly entries = new Map<string, AppEnvStatus>();
  private readonly plans = new Map<string, Plan>();

  ensure(ref: ScopeRef, provider: string): AppEnvStatus {
    const key = scopeKey(ref.app.name, ref.env.name);
    let s = this.entries.get(key);
    if (!s) {
      s = {
        app: ref.app.name,
        env: ref.env.name,
        target: ref.env.target,
        provider,
        sync: 'Unknown',
        health: 'Unknown',
        resources: [],
        autoSync: ref.env.sync === 'auto',
        selfHeal: ref.env.selfHeal,
      };
      this.entries.set(key, s);
    } else {
      s.target = ref.env.target;
      s.provider = provider;
      s.autoSync = ref.env.sync === 'auto';
      s.selfHeal = ref.env.selfHeal;
    }
    return s;
  }

  get(app: string, env: string): AppEnvStatus | undefined {
    return this.entries.get(scopeKey(app, env));
  }

  remove(app: string, env: string): void {
    this.entries.delete(scopeKey(app, env));
    this.plans.delete(scopeKey(app, env));
  }

  setPlan(app: string, env: string, plan: Plan): void {
    this.plans.set(scopeKey(app, env), plan);
  }

  plan(app: string, env: string): Plan | undefined {
    return this.plans.get(scopeKey(app, env));
  }

  all(): AppEnvStatus[] {
    return [...this.entries.values()];
  }
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
