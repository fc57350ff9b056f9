import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kustomizeBuild } from '../../../src/render/kustomize/index.js';
import { DiskFs } from '../../../src/vfs/index.js';
import {
  expectedFile,
  readBaseline,
  readCorpus,
  readManifest,
  repoDir,
  type RepoManifest,
  type Root,
} from './corpus.js';

const corpus = readCorpus();
const baseline = readBaseline();

type Outcome = { id: string; status: 'pass' | 'fail' | 'n/a'; reason?: string };

function firstDifference(expected: string, actual: string): string {
  const e = expected.split('\n');
  const a = actual.split('\n');
  for (let i = 0; i < Math.max(e.length, a.length); i++)
    if (e[i] !== a[i])
      return `line ${i + 1}: expected ${JSON.stringify(e[i] ?? '<end>')}, got ${JSON.stringify(a[i] ?? '<end>')}`.slice(
        0,
        300,
      );
  return 'outputs differ';
}

/** Yields between roots: a long synchronous loop would starve the test runner's own messages. */
const breathe = () => new Promise<void>((r) => setImmediate(r));

async function runRepo(dir: string, m: RepoManifest): Promise<Outcome[]> {
  // Rooted at the filesystem root as the CLI is, so `../` bases resolve; each kustomization's
  // own load restriction still applies.
  const fs = new DiskFs('/');
  const out: Outcome[] = [];
  for (const [i, root] of m.roots.entries()) {
    await breathe();
    out.push(runRoot(fs, dir, i, m.repo, root));
  }
  return out;
}

function runRoot(fs: DiskFs, dir: string, i: number, repo: string, root: Root): Outcome {
  const id = `${repo}:${root.dir}`;
  if (root.notApplicable) return { id, status: 'n/a', reason: `${root.notApplicable}: ${root.error ?? ''}` };
  let output: string | undefined;
  let error: string | undefined;
  try {
    output = kustomizeBuild(fs, join(dir, 'tree', root.dir), {});
  } catch (e) {
    error = (e as Error).message.split('\n')[0];
  }
  if (root.expect === 'error')
    return error !== undefined
      ? { id, status: 'pass' }
      : { id, status: 'fail', reason: `kustomize refuses it (${root.error}) but the engine built it` };
  if (error !== undefined) return { id, status: 'fail', reason: `engine threw: ${error}` };
  const expected = readFileSync(expectedFile(dir, i), 'utf8');
  return output === expected
    ? { id, status: 'pass' }
    : { id, status: 'fail', reason: firstDifference(expected, output!) };
}

describe(`kustomize ${corpus.kustomizeVersion} on public config repositories`, () => {
  const outcomes: Outcome[] = [];

  for (const { repo, commit } of corpus.repos) {
    it(`${repo}: every applicable root as kustomize builds it`, async () => {
      const dir = repoDir(corpus.kustomizeVersion, repo, commit);
      const m = readManifest(dir);
      expect(m, `${repo} is not prepared in ${dir}: run .ci/suites/kustomize-realworld.sh`).toBeDefined();
      const mine = await runRepo(dir, m!);
      outcomes.push(...mine);
      const count = (st: Outcome['status']) => mine.filter((o) => o.status === st).length;
      console.log(`${repo}: ${count('pass')} pass, ${count('fail')} differ, ${count('n/a')} not applicable`);
      const unexpected = mine.filter((o) => o.status === 'fail' && !(o.id in baseline.knownDifferences));
      expect(unexpected.map((f) => `${f.id}: ${f.reason}`)).toEqual([]);
    });
  }

  it('keeps at least the baseline of identical roots', () => {
    const failed = outcomes.filter((o) => o.status === 'fail');
    const passed = outcomes.filter((o) => o.status === 'pass').length;
    const na = outcomes.filter((o) => o.status === 'n/a');
    console.log(
      `\n${passed}/${passed + failed.length} applicable roots identical (${na.length} left out: ${summarize(na)})`,
    );
    for (const f of failed) console.log(`  differs: ${f.id}\n           ${f.reason}`);
    expect(passed).toBeGreaterThanOrEqual(baseline.passed);
  });
});

function summarize(na: Outcome[]): string {
  const by = new Map<string, number>();
  for (const o of na) {
    const k = o.reason!.split(':')[0]!;
    by.set(k, (by.get(k) ?? 0) + 1);
  }
  return [...by].map(([k, n]) => `${n} ${k}`).join(', ') || 'none';
}
