import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFixtures, ownCaseNames } from './fixtures.js';
import { BASELINE_FILE, cacheRoot, corpusDir, corpusPresent, readBaseline } from './paths.js';
import { buildReport, formatFailures, formatTable, writeText } from './report.js';
import { actualOutputs, runCase } from './run-case.js';

const baseline = readBaseline();
const version = baseline.kustomizeVersion;
const UPDATE = process.env.SLUICE_CONFORMANCE_UPDATE_BASELINE === '1';
/** Runs only cases whose id or feature contains this text; the baseline is not checked then. */
const FILTER = process.env.SLUICE_CONFORMANCE_FILTER ?? '';

describe(`kustomize ${version} conformance`, () => {
  it('has a generated corpus', () => {
    expect(
      corpusPresent(version),
      `no corpus at ${corpusDir(version)}: run .ci/suites/kustomize-conformance.sh (see README.md)`,
    ).toBe(true);
  });

  it('has generated expectations for every own case', () => {
    const generated = new Set(
      loadFixtures(version)
        .filter((f) => f.spec.source === 'own')
        .map((f) => f.spec.id.replace(/^own\//, '')),
    );
    const missing = ownCaseNames().filter((n) => !generated.has(n));
    expect(missing, 'own cases without expected output: rerun the generator').toEqual([]);
  });

  it(`builds at least the baseline number of cases byte-identical to kustomize build`, () => {
    const fixtures = loadFixtures(version).filter((f) => f.spec.id.includes(FILTER) || f.spec.feature.includes(FILTER));
    expect(fixtures.length).toBeGreaterThan(0);
    const outDir = process.env.SLUICE_CONFORMANCE_REPORT_DIR ?? cacheRoot();
    rmSync(join(outDir, 'actual'), { recursive: true, force: true });
    actualOutputs.dir = join(outDir, 'actual');
    const results = fixtures.map(runCase);
    const report = buildReport(results, version, baseline.passed);
    const table = formatTable(report);
    const failures = formatFailures(report);
    writeText(join(outDir, 'report.json'), JSON.stringify(report, null, 2));
    writeText(join(outDir, 'report.txt'), table);
    writeText(join(outDir, 'failures.txt'), failures);
    console.log(`\n${table}\n\nfailures: ${join(outDir, 'failures.txt')}\nreport:   ${join(outDir, 'report.json')}\n`);

    const { passed, applicable } = report.totals;
    if (FILTER) return;
    if (UPDATE) {
      const next = { ...baseline, passed, applicable };
      writeFileSync(BASELINE_FILE, `${JSON.stringify(next, null, 2)}\n`);
      console.log(`baseline updated: ${baseline.passed} -> ${passed}`);
    } else if (passed > baseline.passed) {
      console.log(
        `${passed} cases pass, baseline is ${baseline.passed}: raise it with SLUICE_CONFORMANCE_UPDATE_BASELINE=1`,
      );
    }
    expect(passed, `pass count dropped below the baseline; see ${join(outDir, 'failures.txt')}`).toBeGreaterThanOrEqual(
      UPDATE ? passed : baseline.passed,
    );
  });
});
