import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors/index.js';
import { DEFAULT_READ_LIMITS } from '../model/read-limits.js';
import { parseProject } from './load.js';

const valid = `apiVersion: sluice.dev/v1alpha1
kind: Project
metadata: { name: shop }
spec:
  targets:
    laptop: { provider: process }
  environments:
    - { name: dev, target: laptop, selfHeal: true }
    - name: prod
      target: laptop
      protected: true
      healthTimeout: 90s
      promotion: { from: dev, approvals: 1 }
  apps:
    - { name: payments, path: apps/payments/ }
`;

function errorOf(text: string): ValidationError {
  try {
    parseProject(text, 'sluice.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return e as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('parseProject', () => {
  it('applies defaults and resolves references', () => {
    const p = parseProject(valid);
    expect(p.name).toBe('shop');
    expect(p.environments.map((e) => [e.name, e.sync, e.selfHeal, e.healthTimeoutMs])).toEqual([
      ['dev', 'auto', true, 120_000],
      ['prod', 'auto', false, 90_000],
    ]);
    expect(p.environments[1]!.promotion).toMatchObject({ from: 'dev', approvals: 1, requireHealthy: true });
    expect(p.apps[0]).toEqual({
      name: 'payments',
      path: 'apps/payments',
      environments: undefined,
      limits: DEFAULT_READ_LIMITS,
    });
  });

  it('reads spec.limits into every app, sizes with binary units, and names the line of a bad size', () => {
    const limited = valid.replace(
      '  apps:\n',
      '  limits: { maxFileSize: 512Ki, maxRenderSize: 2097152, maxDepth: 4 }\n  apps:\n',
    );
    expect(parseProject(limited).apps[0]!.limits).toEqual({
      maxFileSize: 512 * 1024,
      maxRenderSize: 2 * 1024 * 1024,
      maxDepth: 4,
      maxFiles: DEFAULT_READ_LIMITS.maxFiles,
    });
    const e = errorOf(limited.replace('512Ki', '8MB'));
    expect(e.location).toMatchObject({ file: 'sluice.yaml', line: 14, field: 'spec.limits.maxFileSize' });
  });

  it('names the line and field of an unknown field', () => {
    const e = errorOf(valid.replace('selfHeal: true', 'selfHeel: true'));
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toContain('"selfHeel"');
    expect(e.location).toMatchObject({ file: 'sluice.yaml', line: 8, field: 'spec.environments[0]' });
  });

  it('names the line of a wrong enum value and lists the allowed ones', () => {
    const e = errorOf(
      valid.replace('{ name: dev, target: laptop, selfHeal: true }', '{ name: dev, target: laptop, sync: sometimes }'),
    );
    expect(e.message).toContain('"auto", "manual"');
    expect(e.location.line).toBe(8);
    expect(e.location.field).toBe('spec.environments[0].sync');
  });

  it('reads the settings of a kubernetes target and names the line of a health check that is not CEL', () => {
    const cluster = valid.replace(
      '    laptop: { provider: process }',
      '    laptop: { provider: process }\n    cluster:\n      provider: kubernetes\n      waveTimeout: 30s\n      healthChecks:\n        Widget.example.com: object.status.ready == true\n',
    );
    const target = parseProject(cluster).targets.get('cluster');
    expect(target).toMatchObject({
      provider: 'kubernetes',
      waveTimeout: '30s',
      healthChecks: { 'Widget.example.com': 'object.status.ready == true' },
    });
    const e = errorOf(cluster.replace('object.status.ready == true', 'object.status.ready ==='));
    expect(e.message).toContain('is not valid CEL');
    expect(e.location).toMatchObject({ file: 'sluice.yaml', line: 11 });
    expect(e.location.field).toBe('spec.targets.cluster.healthChecks.Widget.example.com');
  });

  it('rejects an environment that points at an unknown target', () => {
    const e = errorOf(
      valid.replace('    - name: prod\n      target: laptop', '    - name: prod\n      target: cluster'),
    );
    expect(e.message).toContain('unknown target "cluster"');
    expect(e.location.line).toBe(10);
    expect(e.hint).toContain('laptop');
  });

  it('reports YAML syntax errors with a line', () => {
    const e = errorOf(valid.replace('kind: Project', 'kind: [Project'));
    expect(e.code).toBe('CONFIG_YAML');
    expect(e.location.line).toBeGreaterThanOrEqual(2);
  });

  // Each breaks line 12 (`healthTimeout: 90s`), in the middle; the parser notices some of these a line or more away.
  it.each([
    ['an unclosed double quote', '      healthTimeout: "90s', 22],
    ['an unclosed single quote', "      healthTimeout: '90s", 22],
    ['a line indented too far', '        healthTimeout: 90s', 9],
    ['an unclosed flow sequence', '      healthTimeout: [90s', 22],
    ['a tab as indentation', '\thealthTimeout: 90s', 1],
    ['a second colon in a plain value', '      healthTimeout: 90s: x', 22],
  ])('points at the line of %s, not where the parser gave up', (_what, line, column) => {
    const lines = valid.split('\n');
    expect(lines[11]).toBe('      healthTimeout: 90s');
    lines[11] = line;
    const e = errorOf(lines.join('\n'));
    expect(e.code).toBe('CONFIG_YAML');
    expect(e.location).toMatchObject({ file: 'sluice.yaml', line: 12 });
    expect(e.location.column).toBe(column);
  });

  it('refuses an alias bomb instead of expanding it', () => {
    const bomb = ['a: &a [x,x,x,x,x,x,x,x,x,x]'];
    for (let i = 1; i < 9; i++)
      bomb.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
          .fill('*' + String.fromCharCode(96 + i))
          .join(',')}]`,
      );
    const e = errorOf(bomb.join('\n'));
    expect(e.code).toBe('CONFIG_YAML');
  });

  it('keeps notification sinks and refuses one filtering on an unknown environment', () => {
    const withSinks = `${valid}  notifications:\n    - { name: ops, type: webhook, url: "http://127.0.0.1:9/hook", events: [sync.failed], environments: [prod] }\n`;
    expect(parseProject(withSinks).notifications.map((n) => n.name)).toEqual(['ops']);
    const e = errorOf(withSinks.replace('environments: [prod]', 'environments: [prd]'));
    expect(e.message).toContain('unknown environment "prd"');
    expect(e.location.line).toBe(17);
  });

  it('rejects app paths that leave the repository', () => {
    const e = errorOf(valid.replace('apps/payments/', '../elsewhere'));
    expect(e.message).toContain('leaves the repository');
  });
});
