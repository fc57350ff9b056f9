import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CatFileBatch } from './cat-file.js';
import { commit, initRepo, tempDir } from './test-support.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

describe('the object reader', () => {
  it('reads objects through one process, and once closed starts none again', async () => {
    const repo = join(tmp.path, 'config');
    initRepo(repo);
    const rev = commit(repo, { 'sluice.yaml': 'kind: Project\n' }, 'First');
    const batch = new CatFileBatch({
      binary: 'git',
      gitDir: join(repo, '.git'),
      env: {},
      tokenEnv: 'SLUICE_GIT_TOKEN',
      scrub: (text) => text,
    });
    const object = await batch.read(`${rev}:sluice.yaml`);
    expect(object?.data.toString()).toBe('kind: Project\n');
    batch.close();
    // A read that comes after the source closed (a pass still running during a stop) would
    // start a process that keeps the stopped program alive until it idles out.
    await expect(batch.read(`${rev}:sluice.yaml`)).rejects.toMatchObject({ code: 'SOURCE_CLOSED' });
  });
});
