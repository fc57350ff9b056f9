import { describe, expect, it } from 'vitest';
import { RenderError } from '../../errors/index.js';
import { MemoryFs } from '../../vfs/index.js';
import { kustomizeBuild } from './index.js';

const CM = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n';

function failure(fs: MemoryFs, dir: string): RenderError {
  try {
    kustomizeBuild(fs, dir);
  } catch (e) {
    expect(e).toBeInstanceOf(RenderError);
    return e as RenderError;
  }
  throw new Error('expected the build to fail');
}

describe('kustomize build errors', () => {
  it('names the kustomization when a resource file is missing', () => {
    const e = failure(MemoryFs.fromFiles({ 'app/kustomization.yaml': 'resources:\n- missing.yaml\n' }), 'app');
    expect(e.code).toBe('NOT_FOUND');
    expect(e.location.file).toBe('app/kustomization.yaml');
    expect(e.message).toContain('app/missing.yaml');
  });

  it('rejects a patch file outside the kustomization root', () => {
    const fs = MemoryFs.fromFiles({
      'app/kustomization.yaml': 'resources:\n- cm.yaml\npatches:\n- path: ../secret-patch.yaml\n',
      'app/cm.yaml': CM,
      'secret-patch.yaml': CM,
    });
    const e = failure(fs, 'app');
    expect(e.code).toBe('PATH_ESCAPE');
    expect(e.location.file).toBe('app/kustomization.yaml');
  });

  it('rejects paths that climb out of the tree', () => {
    const e = failure(MemoryFs.fromFiles({ 'kustomization.yaml': 'resources:\n- ../../etc/passwd\n' }), '.');
    expect(e.code).toBe('PATH_ESCAPE');
  });

  it('rejects a symlink that escapes the tree', () => {
    const fs = MemoryFs.fromFiles({ 'app/kustomization.yaml': 'resources:\n- link.yaml\n' });
    fs.addSymlink('app/link.yaml', '../../outside.yaml');
    expect(failure(fs, 'app').code).toBe('PATH_ESCAPE');
  });

  it('rejects a symlink to a file outside the kustomization root', () => {
    const fs = MemoryFs.fromFiles({ 'app/kustomization.yaml': 'resources:\n- link.yaml\n', 'other/cm.yaml': CM });
    fs.addSymlink('app/link.yaml', '../other/cm.yaml');
    expect(failure(fs, 'app').code).toBe('PATH_ESCAPE');
  });

  it('detects cyclic bases and shows the cycle', () => {
    const fs = MemoryFs.fromFiles({
      'a/kustomization.yaml': 'resources:\n- ../b\n',
      'b/kustomization.yaml': 'resources:\n- ../a\n',
    });
    const e = failure(fs, 'a');
    expect(e.code).toBe('KUSTOMIZE_CYCLE');
    expect(e.message).toBe('cycle: a → b → a');
    expect(e.location.file).toBe('b/kustomization.yaml');
  });

  it('rejects YAML alias bombs', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++)
      bomb.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill('*' + String.fromCharCode(96 + i))
          .join(',')}]`,
      );
    const fs = MemoryFs.fromFiles({
      'kustomization.yaml': 'resources:\n- bomb.yaml\n',
      'bomb.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  ${bomb.join('\n  ')}\n`,
    });
    const e = failure(fs, '.');
    expect(e.code).toBe('YAML_ALIAS_BOMB');
    expect(e.location.file).toBe('bomb.yaml');
  });

  it('names the line of an unclosed quote in a resource, not the end of the file', () => {
    const fs = MemoryFs.fromFiles({
      'kustomization.yaml': 'resources:\n- cm.yaml\n',
      'cm.yaml': `${CM}data:\n  a: "one\n  b: two\n  c: three\n`,
    });
    const e = failure(fs, '.');
    expect(e.location).toMatchObject({ file: 'cm.yaml', line: 6 });
  });

  it('rejects unknown kustomization fields like kustomize does, with the line', () => {
    const e = failure(MemoryFs.fromFiles({ 'kustomization.yaml': 'resources: []\nnamePrefx: x-\n' }), '.');
    expect(e.code).toBe('KUSTOMIZE_UNKNOWN_FIELD');
    expect(e.message).toContain('json: unknown field "namePrefx"');
    expect(e.location).toMatchObject({ file: 'kustomization.yaml', line: 2 });
  });

  it('reports YAML syntax errors with file and line', () => {
    const fs = MemoryFs.fromFiles({ 'kustomization.yaml': 'resources:\n- cm.yaml\n', 'cm.yaml': 'a: b\n  c: [\n' });
    const e = failure(fs, '.');
    expect(e.code).toBe('YAML_INVALID');
    expect(e.location.file).toBe('cm.yaml');
    expect(e.location.line).toBeGreaterThan(0);
  });

  it('refuses remote bases and helm charts instead of ignoring them', () => {
    expect(
      failure(
        MemoryFs.fromFiles({ 'kustomization.yaml': 'resources:\n- https://github.com/org/repo//base?ref=v1\n' }),
        '.',
      ).code,
    ).toBe('KUSTOMIZE_REMOTE_UNSUPPORTED');
    expect(failure(MemoryFs.fromFiles({ 'kustomization.yaml': 'helmCharts:\n- name: x\n' }), '.').code).toBe(
      'KUSTOMIZE_HELM_UNSUPPORTED',
    );
  });

  it('refuses exec plugins', () => {
    const fs = MemoryFs.fromFiles({
      'kustomization.yaml': 'transformers:\n- t.yaml\n',
      't.yaml': 'apiVersion: example.com/v1\nkind: Runner\nmetadata:\n  name: r\n',
    });
    expect(failure(fs, '.').code).toBe('KUSTOMIZE_PLUGIN_UNSUPPORTED');
  });

  it('fails when a directory has no kustomization', () => {
    const fs = MemoryFs.fromFiles({ 'kustomization.yaml': 'resources:\n- base\n', 'base/cm.yaml': CM });
    expect(failure(fs, '.').code).toBe('KUSTOMIZE_MISSING');
  });

  it('reports duplicate resources', () => {
    const fs = MemoryFs.fromFiles({
      'kustomization.yaml': 'resources:\n- a.yaml\n- b.yaml\n',
      'a.yaml': CM,
      'b.yaml': CM,
    });
    expect(failure(fs, '.').code).toBe('KUSTOMIZE_ID_CONFLICT');
  });

  it('refuses repeated keys in a resource, though a kustomization may repeat them', () => {
    const fs = MemoryFs.fromFiles({
      'kustomization.yaml': 'resources:\n- a.yaml\n',
      'a.yaml': `${CM}data:\n  x: "1"\n  x: "2"\n`,
    });
    expect(failure(fs, '.').code).toBe('YAML_INVALID');
  });

  it('refuses an IAMPolicyGenerator for a cloud other than gke', () => {
    const gen = 'apiVersion: builtin\nkind: IAMPolicyGenerator\nmetadata:\n  name: g\ncloud: aws\n';
    const fs = MemoryFs.fromFiles({ 'kustomization.yaml': 'generators:\n- gen.yaml\n', 'gen.yaml': gen });
    const e = failure(fs, '.');
    expect(e.code).toBe('KUSTOMIZE_GENERATOR');
    expect(e.message).toContain('cloud provider aws not supported yet');
  });

  describe('openapi field', () => {
    const files = (openapi: string, extra: Record<string, string> = {}) =>
      MemoryFs.fromFiles({
        'kustomization.yaml': `resources:\n- cm.yaml\nopenapi:\n${openapi}`,
        'cm.yaml': CM,
        ...extra,
      });

    it('refuses a schema path together with a built-in version', () => {
      const e = failure(files('  path: s.json\n  version: v1.21.2\n', { 's.json': '{}' }), '.');
      expect(e.code).toBe('KUSTOMIZE_OPENAPI');
      expect(e.message).toContain('cannot use both');
    });

    it('refuses a version kustomize does not have built in', () => {
      const e = failure(files('  version: v1.14.1\n'), '.');
      expect(e.code).toBe('KUSTOMIZE_OPENAPI');
      expect(e.location.line).toBe(3);
    });

    it('fails when the schema file is missing', () => {
      expect(failure(files('  path: missing.json\n'), '.').code).toBe('NOT_FOUND');
    });

    it('accepts the built-in version by name', () => {
      expect(kustomizeBuild(files('  version: v1.21.2\n'), '.')).toContain('name: c');
    });
  });

  it('refuses an empty patchesStrategicMerge file, though patches may be empty', () => {
    const fs = MemoryFs.fromFiles({
      'kustomization.yaml': 'resources:\n- cm.yaml\npatchesStrategicMerge:\n- empty.yaml\n',
      'cm.yaml': CM,
      'empty.yaml': '',
    });
    expect(failure(fs, '.').code).toBe('KUSTOMIZE_PATCH');
  });

  it('refuses a RoleBinding ServiceAccount subject whose namespace is left empty', () => {
    const rb =
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: rb\nsubjects:\n- kind: ServiceAccount\n  name: sa\n  namespace:\nroleRef:\n  kind: Role\n  name: r\n';
    const e = failure(MemoryFs.fromFiles({ 'kustomization.yaml': 'resources:\n- rb.yaml\n', 'rb.yaml': rb }), '.');
    expect(e.code).toBe('KUSTOMIZE_RESOURCE');
    expect(e.message).toContain('namespace is blank');
    expect(e.location.file).toBe('rb.yaml');
  });
});

describe('kustomize build error wording', () => {
  it('names a file once even when the message starts with it', () => {
    const e = failure(MemoryFs.fromFiles({ 'app/kustomization.yaml': 'resources: cm.yaml\n' }), 'app');
    expect(e.describe().split('app/kustomization.yaml').length - 1, e.describe()).toBe(1);
  });

  it('does not call a base that climbs out of the tree a file', () => {
    const e = failure(MemoryFs.fromFiles({ 'app/kustomization.yaml': 'resources:\n- ../../base\n' }), 'app');
    expect(e.code).toBe('PATH_ESCAPE');
    expect(e.message).toContain("path '../../base' resolves outside the tree being built");
    const c = failure(MemoryFs.fromFiles({ 'app/kustomization.yaml': 'components:\n- ../../metrics\n' }), 'app');
    expect(c.message).toContain("directory '../../metrics' resolves outside the tree being built");
  });

  it('names resources with kustomize placeholders for a missing group and namespace', () => {
    const fs = MemoryFs.fromFiles({
      'kustomization.yaml': 'resources:\n- a.yaml\n- b.yaml\n',
      'a.yaml': CM,
      'b.yaml': CM,
    });
    expect(failure(fs, '.').message).toContain('ConfigMap.v1.[noGrp]/c.[noNs]');
  });
});
