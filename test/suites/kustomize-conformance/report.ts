import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CaseResult } from './run-case.js';

export interface FeatureRow {
  feature: string;
  cases: number;
  applicable: number;
  /** Applicable cases where kustomize prints output, and how many the engine matches byte for byte. */
  outputs: number;
  outputsPassed: number;
  /** Applicable cases where kustomize fails, and how many the engine also fails. */
  errors: number;
  errorsPassed: number;
  passed: number;
  percent: number;
}

export interface Report {
  generatedAt: string;
  kustomizeVersion: string;
  baseline: number;
  totals: FeatureRow;
  target: { percent: number; met: boolean };
  features: FeatureRow[];
  notApplicable: Record<string, number>;
  results: CaseResult[];
}

export const TARGET_PERCENT = 95;

const pct = (passed: number, applicable: number): number =>
  applicable === 0 ? 0 : Math.round((passed / applicable) * 1000) / 10;

function row(feature: string, rs: CaseResult[]): FeatureRow {
  const applicable = rs.filter((r) => r.status !== 'n/a').length;
  const passed = rs.filter((r) => r.status === 'pass').length;
  const count = (expect: string, status?: string): number =>
    rs.filter((r) => r.status !== 'n/a' && r.expect === expect && (!status || r.status === status)).length;
  return {
    feature,
    cases: rs.length,
    applicable,
    outputs: count('output'),
    outputsPassed: count('output', 'pass'),
    errors: count('error'),
    errorsPassed: count('error', 'pass'),
    passed,
    percent: pct(passed, applicable),
  };
}

/** Reason class: the text before the first ": ", so tallies group like reasons. */
function reasonClass(reason: string | undefined): string {
  const r = reason ?? 'not applicable';
  const i = r.indexOf(': ');
  return i > 0 ? r.slice(0, i) : r;
}

export function buildReport(results: CaseResult[], kustomizeVersion: string, baseline: number): Report {
  const byFeature = new Map<string, CaseResult[]>();
  for (const r of results) byFeature.set(r.feature, [...(byFeature.get(r.feature) ?? []), r]);
  const features = [...byFeature.keys()].sort().map((f) => row(f, byFeature.get(f)!));
  const totals = row('TOTAL', results);
  const notApplicable: Record<string, number> = {};
  for (const r of results.filter((x) => x.status === 'n/a')) {
    const k = reasonClass(r.reason);
    notApplicable[k] = (notApplicable[k] ?? 0) + 1;
  }
  return {
    generatedAt: new Date().toISOString(),
    kustomizeVersion,
    baseline,
    totals,
    target: { percent: TARGET_PERCENT, met: totals.percent >= TARGET_PERCENT },
    features,
    notApplicable,
    results,
  };
}

export function formatTable(report: Report): string {
  const rows = [...report.features, report.totals];
  const w = Math.max(7, ...rows.map((r) => r.feature.length));
  const line = (a: string, b: string, c: string, d: string, e: string, f: string, g: string): string =>
    `${a.padEnd(w)}  ${b.padStart(5)}  ${c.padStart(10)}  ${d.padStart(9)}  ${e.padStart(9)}  ${f.padStart(6)}  ${g.padStart(6)}`;
  const rule = '-'.repeat(w + 57);
  const out = [line('feature', 'cases', 'applicable', 'output ok', 'errors ok', 'passed', '%'), rule];
  for (const r of rows) {
    if (r === report.totals) out.push(rule);
    out.push(
      line(
        r.feature,
        String(r.cases),
        String(r.applicable),
        `${r.outputsPassed}/${r.outputs}`,
        `${r.errorsPassed}/${r.errors}`,
        String(r.passed),
        r.percent.toFixed(1),
      ),
    );
  }
  const t = report.totals;
  out.push('');
  out.push(
    `kustomize ${report.kustomizeVersion}: ${t.passed}/${t.applicable} applicable cases conform (${t.percent}%; ` +
      `target ${report.target.percent}%, baseline ${report.baseline}): ${t.outputsPassed}/${t.outputs} outputs ` +
      `byte-identical, ${t.errorsPassed}/${t.errors} expected errors raised`,
  );
  const na = Object.entries(report.notApplicable).sort((a, b) => b[1] - a[1]);
  if (na.length > 0) {
    out.push(`not applicable: ${report.totals.cases - report.totals.applicable}`);
    for (const [reason, n] of na) out.push(`  ${String(n).padStart(4)}  ${reason}`);
  }
  return out.join('\n');
}

/**
 * Groups like failures: engine errors by code (or message start), output differences by the
 * YAML key on the expected line where they start.
 */
export function failureClass(reason: string): string {
  const threw = /^engine threw: (\[[^\]]+\])?\s*(.*)$/.exec(reason);
  if (threw) return `engine threw ${threw[1] ?? threw[2]!.replace(/'[^']*'|"[^"]*"|\S*\/\S*/g, '…').slice(0, 60)}`;
  const diff = /^line \d+: expected ("(?:[^"\\]|\\.)*"|<end of output>), got ("(?:[^"\\]|\\.)*"|<end of output>)/.exec(
    reason,
  );
  if (diff) {
    const parse = (s: string): string => (s.startsWith('"') ? (JSON.parse(s) as string) : '');
    const [e, a] = [parse(diff[1]!), parse(diff[2]!)];
    if (!e || !a) return 'output differs: engine output is longer or shorter';
    const key = (l: string): string =>
      l
        .replace(/^[\s-]*/, '')
        .split(':')[0]!
        .slice(0, 40);
    const hash = /-[a-z0-9]{10}$/;
    if (hash.test(e) && hash.test(a) && e.slice(0, -10) === a.slice(0, -10))
      return 'generated name hash suffix differs';
    if (key(e) === key(a) && e.includes(':')) return `value differs at "${key(e)}"`;
    return `output differs at "${key(e)}"`;
  }
  return reason.replace(/\(.*\)/, '(…)').slice(0, 100);
}

/** One block per feature, one line per failing case: id, test source, reason, fixture dir. */
export function formatFailures(report: Report): string {
  const failed = report.results.filter((r) => r.status === 'fail');
  const out = [`${failed.length} failing case(s) of ${report.totals.applicable} applicable`, ''];
  const byReason = new Map<string, number>();
  for (const r of failed) {
    const k = failureClass(r.reason ?? '');
    byReason.set(k, (byReason.get(k) ?? 0) + 1);
  }
  out.push('most common reasons:');
  for (const [k, n] of [...byReason.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
    out.push(`  ${String(n).padStart(4)}  ${k}`);
  }
  let feature = '';
  for (const r of [...failed].sort((a, b) => a.feature.localeCompare(b.feature) || a.id.localeCompare(b.id))) {
    if (r.feature !== feature) {
      feature = r.feature;
      out.push('', `## ${feature}`);
    }
    out.push(`- ${r.id}${r.where ? `  (${r.where})` : ''}`, `    ${r.reason ?? ''}`);
    out.push(r.actualFile ? `    diff ${r.caseDir}/expected.yaml ${r.actualFile}` : `    ${r.caseDir}`);
  }
  return out.join('\n');
}

export function writeText(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text.endsWith('\n') ? text : `${text}\n`);
}
