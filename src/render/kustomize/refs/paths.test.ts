import { describe, expect, it } from 'vitest';
import { splitFieldPath } from './paths.js';

describe('replacement field paths (kyaml SmarterPathSplitter)', () => {
  it.each([
    ['metadata.name', ['metadata', 'name']],
    ['.metadata.name', ['metadata', 'name']],
    [
      'metadata.annotations.[cert-manager.io/inject-ca-from]',
      ['metadata', 'annotations', 'cert-manager.io/inject-ca-from'],
    ],
    ['spec.containers.[name=app.v1].image', ['spec', 'containers', '[name=app.v1]', 'image']],
    ['spec.containers.[name=app].image', ['spec', 'containers', '[name=app]', 'image']],
    ['data.a\\.b', ['data', 'a.b']],
    ['spec.dnsNames.0', ['spec', 'dnsNames', '0']],
  ])('splits %s', (path, parts) => {
    expect(splitFieldPath(path)).toEqual(parts);
  });
});
