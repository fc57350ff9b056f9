import { describe, expect, it } from 'vitest';
import { parseProject } from '../config/index.js';
import { MemoryFs } from '../vfs/index.js';
import { renderCheck, type ProjectView } from './project-at.js';

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
