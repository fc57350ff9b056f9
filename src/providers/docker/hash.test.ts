import { describe, expect, it } from 'vitest';
import { canonicalJson, configHash, fieldChanges, redactedSpec } from './hash.js';
import type { ComposeServiceSpec } from '../../model/compose.js';

const spec: ComposeServiceSpec = {
  image: 'shop/web:1',
  environment: { A: '1', TOKEN: 'hunter2' },
  ports: [{ target: 8080, published: '80', protocol: 'tcp' }],
  labels: { x: 'y', a: 'b' },
};

describe('the config hash', () => {
  it('is the same for the same spec in any key order', () => {
    const reordered: ComposeServiceSpec = {
      labels: { a: 'b', x: 'y' },
      ports: [{ protocol: 'tcp', published: '80', target: 8080 }],
      environment: { TOKEN: 'hunter2', A: '1' },
      image: 'shop/web:1',
    };
    expect(configHash(reordered)).toBe(configHash(spec));
    expect(canonicalJson({ b: 1, a: { d: 2, c: undefined } })).toBe('{"a":{"d":2},"b":1}');
  });

  it('is a fixed value for a fixed spec, so it survives Sluice upgrades that keep the format', () => {
    // sha256 of the canonical JSON `{"image":"a"}`, as `printf %s … | sha256sum` prints it.
    expect(configHash({ image: 'a' })).toBe('a4db6e5b124155fd9ecba86f65b779ff6521944a2f844c3623abf415186f6350');
  });

  it('changes with any container setting but not with replicas, start order or Sluice checks', () => {
    expect(configHash({ ...spec, image: 'shop/web:2' })).not.toBe(configHash(spec));
    expect(configHash({ ...spec, environment: { A: '1', TOKEN: 'other' } })).not.toBe(configHash(spec));
    expect(
      configHash({
        ...spec,
        deploy: { replicas: 5 },
        depends_on: { db: { condition: 'service_healthy', required: true } },
        'x-sluice': { http: { path: '/', port: 80 } },
      }),
    ).toBe(configHash(spec));
  });
});

describe('redacted specs and recorded changes', () => {
  it('never hold an environment value, yet tell a changed one apart', () => {
    const a = redactedSpec('web', spec);
    const b = redactedSpec('web', { ...spec, environment: { A: '1', TOKEN: 'hunter3' } });
    expect(JSON.stringify(a)).not.toContain('hunter2');
    expect(fieldChanges(a, b)).toEqual(['environment.TOKEN: (secret) → (secret)']);
  });

  it('names each changed field with its old and new value', () => {
    const a = redactedSpec('web', spec);
    const b = redactedSpec('web', { ...spec, image: 'shop/web:2', restart: 'always' });
    expect(fieldChanges(a, b)).toEqual(['image: "shop/web:1" → "shop/web:2"', 'restart: (unset) → "always"']);
  });
});
