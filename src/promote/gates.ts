import type { Environment } from '../config/index.js';
import { formatDuration, parseDuration } from '../config/index.js';
import type { ApprovalRecord, GateResult, PromotionKind } from '../store/ledger-types.js';

/** The state of the source environment of a promotion, read from the ledger and the controller. */
export interface SourceState {
  env: string;
  /** The controller says Synced and Healthy, and the last verification (if any) passed. */
  healthy: boolean;
  /** Why not, in words. */
  reason?: string;
  /** When the sync whose artifacts are promoted finished. */
  syncedAt?: string;
}

export interface GateInput {
  env: Pick<Environment, 'name' | 'protected' | 'promotion'>;
  kind: PromotionKind;
  author: string;
  approvals: readonly Pick<ApprovalRecord, 'actor' | 'decision'>[];
  source?: SourceState;
  /** Error of rendering (and policy) of the target overlay with the change applied. */
  renderError?: string;
  /** Whether policy ran on the render or only the render was checked. */
  policyChecked: boolean;
  now: Date;
}

/** Whether a change to this environment must go through a request rather than a direct commit. */
export function needsRequest(env: Pick<Environment, 'protected' | 'promotion'>, kind: PromotionKind): boolean {
  if (kind === 'rollback') return false; // restoring what ran before must never wait for a review
  return env.protected || (env.promotion?.approvals ?? 0) > 0 || env.promotion?.manual === true;
}

/** Distinct approvers that count: the author does not count on a protected environment. */
export function countingApprovers(input: Pick<GateInput, 'env' | 'author' | 'approvals'>): string[] {
  const approvers = new Set<string>();
  for (const a of input.approvals) {
    if (a.decision !== 'approve') continue;
    if (input.env.protected && a.actor === input.author) continue;
    approvers.add(a.actor);
  }
  return [...approvers];
}

/**
 * Every gate of the target environment, each with a verdict and a reason. Pure: the same
 * input gives the same verdicts, so the list is stored and shown as is.
 */
export function evaluateGates(input: GateInput): GateResult[] {
  const { env, source } = input;
  const rules = env.promotion;
  const out: GateResult[] = [];
  if (input.kind === 'promote' && source && (rules?.requireHealthy ?? true)) {
    out.push({
      gate: 'source-healthy',
      passed: source.healthy,
      message: source.healthy
        ? `${source.env} is synced and healthy`
        : `${source.env} is not healthy: ${source.reason ?? 'unknown'}`,
    });
  }
  if (input.kind === 'promote' && source && rules?.soak) {
    const need = parseDuration(rules.soak);
    const since = source.syncedAt ? input.now.getTime() - Date.parse(source.syncedAt) : -1;
    out.push({
      gate: 'soak',
      passed: since >= need,
      message:
        since < 0
          ? `${source.env} has no recorded sync`
          : `${source.env} synced ${formatDuration(since)} ago; soak is ${rules.soak}`,
    });
  }
  out.push({
    gate: input.policyChecked ? 'policy' : 'render',
    passed: input.renderError === undefined,
    message: input.renderError ?? (input.policyChecked ? 'renders and passes policy' : 'renders'),
  });
  if (needsRequest(env, input.kind)) {
    const need = Math.max(rules?.approvals ?? 0, rules?.manual || env.protected ? 1 : 0);
    const rejected = input.approvals.find((a) => a.decision === 'reject');
    const have = countingApprovers(input);
    out.push({
      gate: 'approvals',
      passed: !rejected && have.length >= need,
      message: rejected
        ? `rejected by ${rejected.actor}`
        : `${have.length}/${need} approval${need === 1 ? '' : 's'}${have.length ? ` (${have.join(', ')})` : ''}${env.protected ? '; the author cannot approve' : ''}`,
    });
  }
  return out;
}

export function allPassed(gates: readonly GateResult[]): boolean {
  return gates.every((g) => g.passed);
}
