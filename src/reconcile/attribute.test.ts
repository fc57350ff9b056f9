import { describe, expect, it } from 'vitest';
import { ProviderError, ValidationError } from '../errors/index.js';
import type { RenderedResource } from '../model/resource.js';
import { attribute } from './attribute.js';

const rendered: RenderedResource[] = [
  {
    object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' } },
    origin: {
      file: 'apps/web/base/deploy.yaml',
      line: 3,
      locate: (p) => (p.join('.') === 'spec.template.spec.containers.0.imagePullPolicy' ? 17 : undefined),
    },
  },
];

describe('attributing a target error to the file it came from', () => {
  it('adds the file and the line of the field the target named', () => {
    const e = new ProviderError('KUBE_INVALID', 'rejected', {
      resource: 'Deployment/shop/web',
      field: 'spec.template.spec.containers[0].imagePullPolicy',
    });
    attribute(e, rendered);
    expect(e.location).toMatchObject({ file: 'apps/web/base/deploy.yaml', line: 17 });
  });

  it('falls back to the document line when the field cannot be located', () => {
    const e = new ProviderError('KUBE_INVALID', 'rejected', {
      resource: 'Deployment/shop/web',
      field: 'spec.replicas',
    });
    attribute(e, rendered);
    expect(e.location).toMatchObject({ file: 'apps/web/base/deploy.yaml', line: 3 });
  });

  it('leaves an error that already names a file, or names an unknown resource, alone', () => {
    const named = new ValidationError('X', 'x', { file: 'other.yaml', resource: 'Deployment/shop/web' });
    attribute(named, rendered);
    expect(named.location.file).toBe('other.yaml');
    const unknown = new ProviderError('KUBE_INVALID', 'x', { resource: 'Service/shop/web' });
    attribute(unknown, rendered);
    expect(unknown.location.file).toBeUndefined();
  });
});
