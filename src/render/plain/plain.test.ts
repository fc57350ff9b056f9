import { describe, expect, it } from 'vitest';
import { RenderError } from '../../errors/index.js';
import { MemoryFs } from '../../vfs/index.js';
import { renderApp } from '../registry.js';

const proc = (name: string, extra = '') => `apiVersion: sluice.dev/v1alpha1
kind: Process
metadata:
  name: ${name}
spec:
  command: node${extra}
`;

function renderError(fn: () => unknown): RenderError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(RenderError);
    return e as RenderError;
  }
  throw new Error('expected a RenderError');
}

describe('plain renderer', () => {
  it('renders every manifest of an overlay in path order with file and line', () => {
    const fs = MemoryFs.fromFiles({
      'apps/web/overlays/dev/b.yaml': proc('b'),
      'apps/web/overlays/dev/a.yml': `# leading comment\n${proc('a1')}---\n${proc('a2')}`,
      'apps/web/overlays/dev/notes.txt': 'ignored',
      'apps/web/base/x.yaml': proc('base-only'),
    });
    const r = renderApp(fs, { name: 'web', path: 'apps/web' }, 'dev');
    expect(r.renderer).toBe('plain');
    expect(r.resources.map((x) => [x.object.metadata.name, x.origin?.file, x.origin?.line])).toEqual([
      ['a1', 'apps/web/overlays/dev/a.yml', 2],
      ['a2', 'apps/web/overlays/dev/a.yml', 9],
      ['b', 'apps/web/overlays/dev/b.yaml', 1],
    ]);
    expect(r.resources[1]!.origin!.locate!(['spec', 'command'])).toBe(14);
  });

  it('falls back to base when the environment has no overlay', () => {
    const fs = MemoryFs.fromFiles({ 'apps/web/base/x.yaml': proc('x') });
    expect(renderApp(fs, { name: 'web', path: 'apps/web' }, 'prod').dir).toBe('apps/web/base');
  });

  it('names file and line of broken YAML', () => {
    const fs = MemoryFs.fromFiles({ 'apps/web/overlays/dev/a.yaml': `${proc('a')}  args: [unclosed\n` });
    const e = renderError(() => renderApp(fs, { name: 'web', path: 'apps/web' }, 'dev'));
    expect(e.code).toBe('YAML_SYNTAX');
    expect(e.location.file).toBe('apps/web/overlays/dev/a.yaml');
    expect(e.location.line).toBeGreaterThanOrEqual(6);
  });

  it('names the line of an unclosed quote in the middle of a file, not its end', () => {
    const text = proc('a').replace('  command: node', '  command: "node\n  args: [server.js]\n  replicas: 2');
    const fs = MemoryFs.fromFiles({ 'apps/web/overlays/dev/a.yaml': text });
    const e = renderError(() => renderApp(fs, { name: 'web', path: 'apps/web' }, 'dev'));
    expect(e.code).toBe('YAML_SYNTAX');
    expect(e.location).toMatchObject({ file: 'apps/web/overlays/dev/a.yaml', line: 6 });
  });

  it('names the line indented too far, not the one above it', () => {
    const text = proc('a').replace('  command: node', '  command: node\n    replicas: 2\n  args: [server.js]');
    const fs = MemoryFs.fromFiles({ 'apps/web/overlays/dev/a.yaml': `${proc('first')}---\n${text}` });
    const e = renderError(() => renderApp(fs, { name: 'web', path: 'apps/web' }, 'dev'));
    expect(e.location).toMatchObject({ file: 'apps/web/overlays/dev/a.yaml', line: 14 });
  });

  it('refuses a YAML alias bomb', () => {
    const lines = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: {name: bomb}',
      'data:',
      '  a: &a ["x","x","x","x","x","x","x","x","x"]',
    ];
    for (let i = 0; i < 8; i++)
      lines.push(
        `  b${i}: &b${i} [${Array(9)
          .fill(i === 0 ? '*a' : `*b${i - 1}`)
          .join(',')}]`,
      );
    const fs = MemoryFs.fromFiles({ 'apps/web/overlays/dev/bomb.yaml': lines.join('\n') });
    expect(renderError(() => renderApp(fs, { name: 'web', path: 'apps/web' }, 'dev')).code).toBe('YAML_ALIAS_LIMIT');
  });

  it('rejects a document without kind and a resource defined twice', () => {
    const noKind = MemoryFs.fromFiles({ 'apps/web/overlays/dev/a.yaml': 'apiVersion: v1\nmetadata: {name: x}\n' });
    expect(renderError(() => renderApp(noKind, { name: 'web', path: 'apps/web' }, 'dev')).message).toContain(
      'missing kind',
    );
    const twice = MemoryFs.fromFiles({
      'apps/web/overlays/dev/a.yaml': proc('a'),
      'apps/web/overlays/dev/b.yaml': proc('a'),
    });
    const e = renderError(() => renderApp(twice, { name: 'web', path: 'apps/web' }, 'dev'));
    expect(e.code).toBe('DUPLICATE_RESOURCE');
    expect(e.message).toContain('apps/web/overlays/dev/a.yaml:1');
  });

  it('says which directory is missing', () => {
    const e = renderError(() =>
      renderApp(MemoryFs.fromFiles({ 'x.yaml': '' }), { name: 'web', path: 'apps/web' }, 'dev'),
    );
    expect(e.code).toBe('APP_DIR_MISSING');
    expect(e.hint).toContain('apps/web/overlays/dev');
  });
});
