import { describe, expect, it } from 'vitest';
import type { RenderedResource, Resource } from '../model/resource.js';
import { markDecrypted } from '../secrets/marker.js';
import { PolicyError, assertPolicy, evaluatePolicy, parseImageRef } from './index.js';
import type { PolicySpec } from '../config/schema.js';

const DIGEST = 'sha256:' + 'a'.repeat(64);

function deployment(image: string, extra: Partial<Resource> = {}, initImage?: string): RenderedResource {
  const container = {
    name: 'app',
    image,
    resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } },
  };
  return {
    object: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', labels: { team: 'a' } },
      spec: {
        replicas: 2,
        template: {
          spec: {
            containers: [container],
            ...(initImage ? { initContainers: [{ name: 'init', image: initImage }] } : {}),
          },
        },
      },
      ...extra,
    },
    origin: { file: 'apps/web/base/deploy.yaml', line: 3 },
  };
}

const env = (policy: PolicySpec = {}) => ({ name: 'prod', policy });

describe('image rules', () => {
  it('warns on :latest and missing tags by default, naming file, line and field', () => {
    const r = evaluatePolicy([deployment('nginx', {}, 'busybox:latest')], env());
    expect(r.warnings).toBe(3); // two images + init container without resources
    const v = r.violations.find((x) => x.rule === 'image-tag-mutable' && x.field?.includes('initContainers'));
    expect(v).toMatchObject({
      resource: 'Deployment/web',
      file: 'apps/web/base/deploy.yaml',
      line: 3,
      severity: 'warn',
    });
    expect(v?.hint).toMatch(/digest/);
  });

  it('requireDigests turns on the digest rule as an error; rules: can lower it', () => {
    expect(evaluatePolicy([deployment('nginx:1.27')], env({ requireDigests: true })).errors).toBe(1);
    expect(evaluatePolicy([deployment(`nginx@${DIGEST}`)], env({ requireDigests: true })).errors).toBe(0);
    const lowered = evaluatePolicy(
      [deployment('nginx:1.27')],
      env({ requireDigests: true, rules: { 'image-digest-required': 'warn' } }),
    );
    expect([lowered.errors, lowered.warnings]).toEqual([0, 1]);
  });

  it('checks allowed registries, including Docker Hub defaults and path prefixes', () => {
    const p = env({ allowedRegistries: ['ghcr.io/acme', 'docker.io'] });
    expect(evaluatePolicy([deployment('ghcr.io/acme/api:1')], p).errors).toBe(0);
    expect(evaluatePolicy([deployment('nginx:1')], p).errors).toBe(0);
    const bad = evaluatePolicy([deployment('quay.io/x/y:1')], p);
    expect(bad.violations[0]).toMatchObject({ rule: 'registry-allowed', severity: 'error' });
    expect(parseImageRef('localhost:5000/a/b:2@' + DIGEST)).toEqual({
      registry: 'localhost:5000',
      repository: 'a/b',
      tag: '2',
      digest: DIGEST,
    });
  });

  it('finds images in CronJobs, Compose services and Process artifacts', () => {
    const cron: RenderedResource = {
      object: {
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        metadata: { name: 'c' },
        spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'j', image: 'job' }] } } } } },
      },
    };
    const compose: RenderedResource = {
      object: {
        apiVersion: 'compose.sluice.dev/v1',
        kind: 'ComposeProject',
        metadata: { name: 'p' },
        services: { db: { image: 'postgres' } },
      },
    };
    const proc: RenderedResource = {
      object: {
        apiVersion: 'sluice.dev/v1alpha1',
        kind: 'Process',
        metadata: { name: 'w' },
        spec: { command: 'w', artifact: { url: 'https://x/w.tgz' } },
      },
    };
    const rules = evaluatePolicy([cron, compose, proc], env({ rules: { 'resources-required': 'off' } })).violations.map(
      (v) => `${v.resource} ${v.field}`,
    );
    expect(rules).toEqual([
      'CronJob/c spec.jobTemplate.spec.template.spec.containers[0].image',
      'ComposeProject/p services.db.image',
      'Process/w spec.artifact',
    ]);
  });
});

describe('workload rules', () => {
  it('requires requests and limits on every container', () => {
    const d = deployment(`a@${DIGEST}`);
    (
      d.object['spec'] as { template: { spec: { containers: { resources?: unknown }[] } } }
    ).template.spec.containers[0]!.resources = { requests: { cpu: '1' } };
    const v = evaluatePolicy([d], env()).violations;
    expect(v).toHaveLength(1);
    expect(v[0]!.message).toContain('resources.limits');
  });

  it('minimum replicas and required labels only when configured', () => {
    const d = deployment(`a@${DIGEST}`);
    expect(evaluatePolicy([d], env()).violations).toHaveLength(0);
    const r = evaluatePolicy([d], env({ minReplicas: 3, requiredLabels: ['team', 'owner'] }));
    expect(r.violations.map((v) => v.rule).sort()).toEqual(['labels-required', 'replicas-minimum']);
    expect(r.errors).toBe(2);
  });
});

describe('secret-plaintext', () => {
  const secret: RenderedResource = {
    object: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, stringData: { password: 'canary-plain-1' } },
    origin: { file: 'apps/db/secret.yaml', line: 1 },
  };
  it('blocks plaintext Secrets without printing values', () => {
    const r = evaluatePolicy([secret], env());
    expect(r.errors).toBe(1);
    expect(JSON.stringify(r)).not.toContain('canary-plain-1');
    expect(r.violations[0]!.message).toContain('password');
  });
  it('accepts Secrets from SOPS files, by annotation or by origin', () => {
    expect(evaluatePolicy([{ ...secret, object: markDecrypted(secret.object, 'x.enc.yaml') }], env()).errors).toBe(0);
    expect(
      evaluatePolicy([secret], env(), undefined, { encryptedFiles: new Set(['apps/db/secret.yaml']) }).errors,
    ).toBe(0);
  });
});

describe('custom CEL rules', () => {
  const custom = (expression: string, extra: object = {}): PolicySpec => ({
    rules: { 'resources-required': 'off', 'image-tag-mutable': 'off' },
    custom: [
      {
        name: 'no-host-network',
        match: { kinds: ['Deployment'] },
        expression,
        message: 'hostNetwork is not allowed',
        severity: 'error',
        ...extra,
      },
    ],
  });
  it('passes when the expression holds and reports when it does not', () => {
    const ok = evaluatePolicy(
      [deployment('a')],
      env(custom('!has(object.spec.template.spec.hostNetwork) && object.spec.replicas >= 2')),
    );
    expect(ok.violations).toEqual([]);
    const bad = evaluatePolicy(
      [deployment('a')],
      env(custom('object.spec.replicas > 5', { severity: 'warn', hint: 'scale up' })),
    );
    expect(bad.violations[0]).toMatchObject({ rule: 'no-host-network', severity: 'warn', hint: 'scale up', line: 3 });
  });
  it('reports invalid expressions and evaluation errors instead of passing', () => {
    expect(evaluatePolicy([deployment('a')], env(custom('object.spec.'))).violations[0]!.message).toMatch(
      /not valid CEL/,
    );
    expect(evaluatePolicy([deployment('a')], env(custom('object.spec.nope == 1'))).errors).toBe(1);
    expect(evaluatePolicy([deployment('a')], env(custom('object.spec.nope == 1'))).violations[0]!.message).toMatch(
      /could not be evaluated/,
    );
  });
  it('match.kinds limits where it applies', () => {
    const s: RenderedResource = { object: { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' } } };
    expect(evaluatePolicy([s], env(custom('false'))).violations).toEqual([]);
  });
});

describe('PolicyError', () => {
  it('blocks with a code, the first location and a hint', () => {
    const r = evaluatePolicy([deployment('nginx:1')], env({ requireDigests: true }));
    const e = (() => {
      try {
        assertPolicy(r);
      } catch (err) {
        return err as PolicyError;
      }
    })();
    expect(e).toBeInstanceOf(PolicyError);
    expect(e?.code).toBe('POLICY_VIOLATION');
    expect(e?.describe()).toContain('apps/web/base/deploy.yaml:3');
    expect(e?.hint).toBeTruthy();
  });
});
