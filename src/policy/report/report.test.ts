import { describe, expect, it } from 'vitest';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { ValidateResult } from '../validate.js';
import { summarize } from '../evaluate.js';
import { toJunit } from './junit.js';
import { toSarif } from './sarif.js';
import { toJson, toText } from './text.js';

const result: ValidateResult = {
  project: 'shop',
  notes: [],
  targets: [
    {
      app: 'web',
      env: 'prod',
      resources: 2,
      report: summarize([
        {
          rule: 'image-digest-required',
          severity: 'error',
          message: 'image nginx:1 <is> "not" pinned & such',
          hint: 'pin it',
          resource: 'Deployment/web',
          file: 'apps/web/base/d.yaml',
          line: 4,
          app: 'web',
          env: 'prod',
        },
        {
          rule: 'resources-required',
          severity: 'warn',
          message: 'no limits',
          hint: 'set them',
          resource: 'Deployment/web',
          file: 'apps/web/base/d.yaml',
          line: 4,
          app: 'web',
          env: 'prod',
        },
      ]),
    },
    {
      app: 'web',
      env: 'dev',
      resources: 2,
      report: summarize([
        { rule: 'render', severity: 'error', message: 'broken', hint: 'fix', app: 'web', env: 'dev' },
      ]),
    },
  ],
  report: summarize([]),
};
result.report = summarize(result.targets.flatMap((t) => t.report.violations));

describe('JUnit report', () => {
  it('is well-formed XML with a suite per environment and failures carrying file:line', () => {
    const xml = toJunit(result);
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml);
    const suites = doc.testsuites.testsuite as {
      name: string;
      failures: string;
      testcase: { name: string; failure?: { '#text': string; message: string } }[];
    }[];
    expect(suites.map((s) => s.name)).toEqual(['prod', 'dev']);
    const prod = suites[0]!;
    expect(prod.failures).toBe('1');
    const failed = prod.testcase.find((c) => c.name === 'web: image-digest-required')!;
    expect(failed.failure!['#text']).toContain('apps/web/base/d.yaml:4');
    expect(failed.failure!.message).toContain('<is> "not" pinned & such');
    expect(suites[1]!.testcase.some((c) => c.name === 'web: render' && c.failure)).toBe(true);
  });

  it('counts testcases and failing testcases in the totals, as the suites do', () => {
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(toJunit(result));
    const suites = doc.testsuites.testsuite as { tests: string; failures: string; testcase: { failure?: unknown }[] }[];
    const cases = suites.flatMap((s) => s.testcase);
    for (const s of suites) {
      expect(Number(s.tests)).toBe(s.testcase.length);
      expect(Number(s.failures)).toBe(s.testcase.filter((c) => c.failure).length);
    }
    expect(Number(doc.testsuites.tests)).toBe(cases.length);
    expect(Number(doc.testsuites.failures)).toBe(cases.filter((c) => c.failure).length);
    expect(Number(doc.testsuites.failures)).toBe(2);
  });
});

describe('SARIF report', () => {
  it('has the 2.1.0 shape code scanning needs', () => {
    const log = JSON.parse(JSON.stringify(toSarif(result)));
    expect(log.version).toBe('2.1.0');
    expect(log.$schema).toMatch(/sarif-schema-2\.1\.0\.json$/);
    const run = log.runs[0];
    expect(run.tool.driver.name).toBe('sluice');
    const ids = run.tool.driver.rules.map((r: { id: string }) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of run.results) {
      expect(ids[r.ruleIndex]).toBe(r.ruleId);
      expect(['error', 'warning', 'note']).toContain(r.level);
      expect(typeof r.message.text).toBe('string');
      const loc = r.locations[0].physicalLocation;
      expect(typeof loc.artifactLocation.uri).toBe('string');
      expect(loc.region.startLine).toBeGreaterThanOrEqual(1);
    }
    expect(run.results[0].locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'apps/web/base/d.yaml' },
      region: { startLine: 4 },
    });
    expect(run.results[2].locations[0].physicalLocation.artifactLocation.uri).toBe('sluice.yaml');
  });
});

describe('text and JSON reports', () => {
  it('summarize counts', () => {
    expect(toText(result)).toMatch(/failed: 2 app×environment targets checked, 2 errors, 1 warning/);
    expect(JSON.parse(toJson(result))).toMatchObject({
      errors: 2,
      warnings: 1,
      targets: [
        { app: 'web', env: 'prod' },
        { app: 'web', env: 'dev' },
      ],
    });
  });
});
