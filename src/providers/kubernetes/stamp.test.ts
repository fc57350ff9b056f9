import { describe, expect, it } from 'vitest';
import { stamp } from './stamp.js';

const scope = { project: 'shop', app: 'web', env: 'dev' };

describe('stamp', () => {
  it('labels scope and applyset, annotates the revision, drops server fields and status', () => {
    const out = stamp(
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'c', labels: { a: 'b' }, resourceVersion: '5', uid: 'u' },
        data: { x: '1' },
        status: {},
      },
      scope,
      'applyset-x-v1',
      'abc123',
      'default',
    );
    expect(out).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'c',
        namespace: 'default',
        labels: {
          a: 'b',
          'app.kubernetes.io/managed-by': 'sluice',
          'sluice.dev/project': 'shop',
          'sluice.dev/app': 'web',
          'sluice.dev/env': 'dev',
          'applyset.kubernetes.io/part-of': 'applyset-x-v1',
        },
        annotations: { 'sluice.dev/revision': 'abc123' },
      },
      data: { x: '1' },
    });
  });

  it('applies Secret stringData as data, which is what the server keeps', () => {
    const out = stamp(
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: 'YQ==' }, stringData: { b: 'hi' } },
      scope,
      'id',
      'r',
    );
    expect(out.stringData).toBeUndefined();
    expect(out.data).toEqual({ a: 'YQ==', b: 'aGk=' });
  });
});
