import type { Environment } from '../config/index.js';
import { evaluateMetric } from '../metrics/index.js';
import type { ArtifactRecord, GateResult, PromotionKind } from '../store/ledger-types.js';
import type { Store } from '../store/types.js';

/**
 * The environment's metric gates (promotion.gates) for a promotion into it: each Prometheus
 * query is asked now, with `{{version}}` the promoted tag, `{{from}}` the source environment and
 * `{{previousVersion}}` the tag running in the target. Rollbacks and set-image pass no metric
 * gate: they do not claim the version proved itself somewhere.
 */
export async function metricGates(
  store: Store,
  env: Pick<Environment, 'name' | 'promotion' | 'prometheus'>,
  p: { project: string; app: string; kind: PromotionKind; artifacts: readonly ArtifactRecord[]; fromEnv?: string },
): Promise<GateResult[]> {
  const gates = env.promotion?.gates ?? [];
  if (p.kind !== 'promote' || gates.length === 0) return [];
  const running = (await store.ledger.listApplied({ project: p.project, app: p.app, env: env.name, limit: 1 }))[0];
  const ctx = {
    app: p.app,
    env: env.name,
    ...(p.fromEnv ? { from: p.fromEnv } : {}),
    ...(p.artifacts[0]?.tag ? { version: p.artifacts[0].tag } : {}),
    ...(running?.artifacts[0]?.tag ? { previousVersion: running.artifacts[0].tag } : {}),
  };
  const out: GateResult[] = [];
  for (const gate of gates) {
    const verdict = await evaluateMetric(gate.prometheus, env.prometheus, ctx);
    out.push({
      gate: 'metric',
      name: gate.name,
      passed: verdict.passed,
      message: `${gate.name}: ${verdict.message}`,
      query: verdict.query,
      ...(verdict.value !== undefined && Number.isFinite(verdict.value) ? { value: verdict.value } : {}),
    });
  }
  return out;
}
