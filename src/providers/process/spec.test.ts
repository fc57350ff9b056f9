import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../errors/index.js';
import { parseProcess, parseProcesses, processIssues } from './spec.js';
import { processResource } from './test-support/harness.js';

function failure(spec: Record<string, unknown>, name = 'web'): ValidationError {
  try {
    parseProcess(processResource(name, spec));
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return e as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('parseProcess', () => {
  it('applies defaults', () => {
    const p = parseProcess(processResource('web', { command: 'node' }));
    expect(p.key).toBe('Process.sluice.dev/web');
    expect(p.spec).toMatchObject({
      args: [],
      env: {},
      replicas: 1,
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 10,
    });
  });

  it('fills health check defaults', () => {
    const p = parseProcess(
      processResource('web', { command: 'node', port: 8000, healthCheck: { http: { path: '/health' } } }),
    );
    expect(p.spec.healthCheck).toMatchObject({
      intervalSeconds: 2,
      timeoutSeconds: 1,
      failureThreshold: 3,
      initialDelaySeconds: 0,
    });
  });

  it('names the resource, the field and gives a hint', () => {
    const e = failure({ command: 'node', replicas: -1 });
    expect(e.code).toBe('PROCESS_INVALID');
    expect(e.location).toMatchObject({ resource: 'Process/web', field: 'spec.replicas' });
    expect(e.hint).toBeTruthy();
  });

  it('rejects unknown fields', () => {
    expect(failure({ command: 'node', shell: true }).message).toContain('"shell"');
  });

  it('needs a port for an http check when spec.port is unset', () => {
    expect(failure({ command: 'node', healthCheck: { http: { path: '/' } } }).location.field).toBe(
      'spec.healthCheck.http.port',
    );
  });

  it('needs exactly one kind of health check', () => {
    const e = failure({ command: 'node', port: 1000, healthCheck: { http: { path: '/' }, tcp: {} } });
    expect(e.location.field).toBe('spec.healthCheck');
    expect(e.message).toContain('exactly one');
  });

  it('checks artifacts and working dirs', () => {
    expect(failure({ command: 'x', artifact: { path: 'rel/file', sha256: 'a'.repeat(64) } }).location.field).toBe(
      'spec.artifact.path',
    );
    expect(failure({ command: 'x', artifact: { path: '/f', sha256: 'nothex' } }).location.field).toBe(
      'spec.artifact.sha256',
    );
    expect(failure({ command: 'x', workingDir: 'relative' }).location.field).toBe('spec.workingDir');
  });

  it('rejects names that cannot be file names', () => {
    const e = failure({ command: 'x' }, 'Bad_Name');
    expect(e.location).toMatchObject({ resource: 'Process/Bad_Name', field: 'metadata.name' });
  });

  it('rejects two Processes with one name', () => {
    const r = processResource('web', { command: 'node' });
    expect(() => parseProcesses([r, r])).toThrow(/defined twice/);
    expect(parseProcesses([r, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }])).toHaveLength(1);
  });
});

describe('processIssues', () => {
  const base = { apiVersion: 'sluice.dev/v1alpha1', kind: 'Process', metadata: { name: 'web' } };
  it('points an unknown field at the field itself', () => {
    const [issue] = processIssues({ ...base, spec: { command: 'node', replicaz: 2 } });
    expect(issue!.path).toEqual(['spec', 'replicaz']);
    expect(issue!.message).toContain('"replicaz"');
  });
  it('points a wrong type at its field and says nothing for a valid spec', () => {
    expect(processIssues({ ...base, spec: { command: 'node', replicas: 'two' } })[0]!.path).toEqual([
      'spec',
      'replicas',
    ]);
    expect(processIssues({ ...base, spec: { command: 'node' } })).toEqual([]);
  });
});
