import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createConfigRepo } from '../../support/config-repo.js';
import { eventually, freePortBlock, spawnSluice, type SluiceProcess } from '../../support/sluice.js';
import { createDatabase, query, skip } from './helpers.js';

/** `sluice serve --store postgres://…`: the controller keeps its state in PostgreSQL, none in the data dir. */
describe.skipIf(skip)('sluice serve on a PostgreSQL store', () => {
  const work = mkdtempSync(join(tmpdir(), 'sluice-pg-serve-'));
  let serve: SluiceProcess | undefined;
  afterAll(async () => {
    if (serve && serve.child.exitCode === null) {
      serve.child.kill('SIGTERM');
      await serve.exited;
    }
    rmSync(work, { recursive: true, force: true });
  });

  it('records its syncs in the database, owned by its instance, and stops cleanly', async () => {
    const url = await createDatabase();
    const repo = createConfigRepo(join(work, 'repo'), { basePort: await freePortBlock(10) });
    const dataDir = join(work, 'data');
    serve = spawnSluice(['--data-dir', dataDir, 'serve', '--repo', repo.url, '--port', '0'], {
      SLUICE_STORE: url,
      SLUICE_INSTANCE: 'replica-1',
    });
    await serve.waitFor('Sluice is serving', 60_000);
    const synced = await eventually(
      async () => {
        const rows = await query<{ app: string; env: string; owner: string }>(
          url,
          "SELECT app, env, owner FROM syncs WHERE result = 'Succeeded'",
        );
        return rows.length ? rows : undefined;
      },
      90_000,
      'a succeeded sync in PostgreSQL',
    );
    expect(synced[0]).toMatchObject({ app: 'hello', owner: 'replica-1' });
    expect(existsSync(join(dataDir, 'sluice.db'))).toBe(false);
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
  });
});
