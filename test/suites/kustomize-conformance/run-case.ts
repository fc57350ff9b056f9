import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { kustomizeBuild } from '../../../src/render/kustomize/index.js';
import { expectedOutput, loadTree, type Fixture } from './fixtures.js';

export type Status = 'pass' | 'fail' | 'n/a';

export interface CaseResult {
  id: string;
  feature: string;
  source: 'krusty' | 'own';
  where?: string;
  status: Status;
  /** Why it failed (first differing line, or the engine's error) or why it does not apply. */
  reason?: string;
  expect?: 'output' | 'error';
  /** For expected errors: kustomize's message and the engine's, to compare wording. */
  kustomizeError?: string;
  engineError?: string;
  ms?: number;
  caseDir: string;
  /** Where the engine's output was saved when it differs. */
  actualFile?: string;
}

/** Set by the runner: where to save the engine's output for cases whose output differs. */
export const actualOutputs: { dir?: string } = {};

const MAX_SHOWN = 160;

function show(s: string | undefined): string {
  if (s === undefined) return '<end of output>';
  const j = JSON.stringify(s);
  return j.length > MAX_SHOWN ? `${j.slice(0, MAX_SHOWN)}…"` : j;
}

function firstLine(s: string): string {
  const line = s.trim().split('\n')[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/** The first line where `actual` differs from `expected`, 1-based, as a one-line reason. */
export function firstDifference(expected: string, actual: string): string {
  const e = expected.split('\n');
  const a = actual.split('\n');
  const n = Math.max(e.length, a.length);
  for (let i = 0; i < n; i++) {
    if (e[i] !== a[i]) return `line ${i + 1}: expected ${show(e[i])}, got ${show(a[i])}`;
  }
  return 'outputs differ'; // unreachable when the strings differ
}

function errorText(e: unknown): string {
  const code = typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : '';
  const msg = e instanceof Error ? e.message : String(e);
  return code ? `[${code}] ${msg}` : msg;
}

export function runCase(f: Fixture): CaseResult {
  const { spec } = f;
  const base: CaseResult = {
    id: spec.id,
    feature: spec.feature,
    source: spec.source,
    where: spec.file ? `${spec.file}:${spec.line ?? 0}` : undefined,
    status: 'n/a',
    expect: spec.expect,
    caseDir: f.caseDir,
  };
  if (!spec.applicable || !spec.expect) return { ...base, reason: spec.reason ?? 'not applicable' };
  const tree = loadTree(f);
  const start = performance.now();
  let output: string | undefined;
  let thrown: unknown;
  let threw = false;
  try {
    output = kustomizeBuild(tree, spec.dir, { loadRestrictions: spec.loadRestrictions });
  } catch (e) {
    threw = true;
    thrown = e;
  }
  const ms = Math.round(performance.now() - start);
  if (spec.expect === 'error') {
    const kustomizeError = spec.errorMessage ?? '';
    if (threw) return { ...base, status: 'pass', ms, kustomizeError, engineError: firstLine(errorText(thrown)) };
    return {
      ...base,
      status: 'fail',
      ms,
      kustomizeError,
      reason: `kustomize fails (${firstLine(kustomizeError)}) but the engine returned output`,
    };
  }
  if (threw) return { ...base, status: 'fail', ms, reason: `engine threw: ${firstLine(errorText(thrown))}` };
  const expected = expectedOutput(f);
  if (output === expected) return { ...base, status: 'pass', ms };
  if (typeof output !== 'string') return { ...base, status: 'fail', ms, reason: `engine returned ${typeof output}` };
  let actualFile: string | undefined;
  if (actualOutputs.dir) {
    actualFile = join(actualOutputs.dir, `${spec.id.replace(/[^A-Za-z0-9._-]+/g, '_')}.yaml`);
    mkdirSync(dirname(actualFile), { recursive: true });
    writeFileSync(actualFile, output);
  }
  return { ...base, status: 'fail', ms, reason: firstDifference(expected, output), actualFile };
}
