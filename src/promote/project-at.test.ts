import { describe, expect, it } from 'vitest';
import { parseProject } from '../config/index.js';
import { MemoryFs } from '../vfs/index.js';
import type { Source } from '../source/index.js';
import { projectAt, renderCheck, type ProjectView } from './project-at.js';

/** The promotion check takes a change through the pipeline the controller uses, not a render of its own. */

const processDoc = (name: string, extra: string) =>
  `apiVersion: sluice.dev/v1alpha1\nkind: Process\nmetadata:\n  name: ${name}\nspec:\n  command: /bin/true\n${extra}`;

const files = {
  'sluice.yaml':
    'apiVersion: sluice.dev/v1alpha1\nkind: Project\nmetadata: { name: shop }\nspec:\n  targets: { local: { provider: process } }\n  environments: [{ name: dev, target: local }]\n  apps: [{ name: web, path: apps/web }, { name: api, path: apps/api }]\n',
  'apps/web/overlays/dev/web.yaml': processDoc('web', '  port: 7601\n'),
  'apps/api/overlays/dev/api.yaml': processDoc('api', '  port: 7611\n'),
};
const view: ProjectView = {
  revision: 'a'.repeat(40),
  fs: MemoryFs.fromFiles(files),
  project: parseProject(files['sluice.yaml']),
};
const web = view.project.apps[0]!;
const dev = view.project.environments[0]!;

describe('renderCheck', () => {
  it('passes a change the controller would apply', async () => {
    const change = [{ path: 'apps/web/overlays/dev/web.yaml', content: processDoc('web', '  port: 7621\n') }];
    expect(await renderCheck(view, change, web, dev)).toBeUndefined();
  });

  it('refuses a change the target would refuse, at the field’s file and line', async () => {
    const change = [
      {
        path: 'apps/web/overlays/dev/web.yaml',
        content: processDoc('web', `  port: 7601\n  artifact: { path: web.js, sha256: ${'a'.repeat(64)} }\n`),
      },
    ];
    expect(await renderCheck(view, change, web, dev)).toMatch(
      /^apps\/web\/overlays\/dev\/web\.yaml:\d+: Process\/web: spec\.artifact\.path must be an absolute path/,
    );
  });

  it('refuses a change that takes another app’s port, naming both', async () => {
    const change = [{ path: 'apps/web/overlays/dev/web.yaml', content: processDoc('web', '  port: 7612\n') }];
    const error = await renderCheck(view, change, web, dev);
    expect(error).toContain('app "web" in dev');
    expect(error).toContain('app "api" in dev, apps/api/overlays/dev/api.yaml');
  });
});

describe('projectAt', () => {
  /** A source that counts its tree reads; only `tree` is used by projectAt. */
  function countingSource(fail = 0) {
    const source = {
      reads: 0,
      async tree(_revision: string) {
        source.reads++;
        if (source.reads <= fail) throw new Error('git is busy');
        return MemoryFs.fromFiles(files);
      },
    };
    return source;
  }

  it('reads and parses a commit once for every caller', async () => {
    const source = countingSource();
    const [a, b] = await Promise.all([
      projectAt(source as unknown as Source, 'b'.repeat(40)),
      projectAt(source as unknown as Source, 'b'.repeat(40)),
    ]);
    const c = await projectAt(source as unknown as Source, 'b'.repeat(40));
    expect(source.reads).toBe(1);
    expect(c.project).toBe(a.project);
    expect(b.project.apps.map((x) => x.name)).toEqual(['web', 'api']);
    await projectAt(source as unknown as Source, 'c'.repeat(40));
    expect(source.reads).toBe(2);
  });

  it('reads a branch name every time, and again after a failed read', async () => {
    const source = countingSource(1);
    await expect(projectAt(source as unknown as Source, 'd'.repeat(40))).rejects.toThrow('git is busy');
    await projectAt(source as unknown as Source, 'd'.repeat(40));
    await projectAt(source as unknown as Source, 'main');
    await projectAt(source as unknown as Source, 'main');
    expect(source.reads).toBe(4);
  });
});
