import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEX_PASSWORD, dexBinary, startDex, type Dex } from '../../support/dex.js';
import { freePortBlock, ownedProcesses } from '../../support/sluice.js';
import { chromiumAvailable, launchChromium } from '../ui/browser.js';
import { CLIENT_ID, USERS } from './harness.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../../..');
/** The installed CLI serves the built dashboard (dist/ui); .ci/suites/oidc.sh builds both. */
const BIN = join(ROOT, 'bin/sluice.js');
const built = existsSync(join(ROOT, 'dist/cli/run.js')) && existsSync(join(ROOT, 'dist/ui/index.html'));
const CLIENT_SECRET = 'client-secret-of-the-dashboard-test';

/**
 * The dashboard's own sign-in page, served by a real `sluice serve` configured for single
 * sign-on against a real Dex, in real Chromium: the button, Dex's login page, and back signed in.
 */
describe('the dashboard signs in through single sign-on', () => {
  let dir: string | undefined;
  let dex: Dex | undefined;
  let server: ChildProcess | undefined;
  let browser: Browser | undefined;
  let url = '';
  let output = '';

  beforeAll(async () => {
    const bin = dexBinary();
    if (!bin || !chromiumAvailable()) return;
    if (!built) {
      if (process.env.CI === 'true') throw new Error('dist/ is not built: run `npm run build` first');
      return;
    }
    dir = mkdtempSync(join(tmpdir(), 'sluice-sso-dashboard-'));
    // The redirect URI is registered at Dex, so the server's port is chosen first.
    const port = await freePortBlock(1);
    url = `http://127.0.0.1:${port}`;
    dex = await startDex({
      bin,
      client: { id: CLIENT_ID, secret: CLIENT_SECRET, redirectURIs: [`${url}/auth/oidc/callback`] },
      users: USERS,
    });
    const repo = join(dir, 'repo');
    await run(process.execPath, [BIN, 'init', repo, '--base-port', String(await freePortBlock(40))], { cwd: dir });
    server = spawn(
      process.execPath,
      [
        BIN,
        'serve',
        '--repo',
        repo,
        '--port',
        String(port),
        '--data-dir',
        join(dir, 'data'),
        '--oidc-issuer',
        dex.issuer,
        '--oidc-client-id',
        CLIENT_ID,
        '--oidc-redirect-url',
        `${url}/auth/oidc/callback`,
      ],
      {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NO_COLOR: '1', SLUICE_OIDC_CLIENT_SECRET: CLIENT_SECRET },
      },
    );
    server.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    server.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    await new Promise<void>((ok, fail) => {
      const check = () => output.includes(url) && (server!.stdout!.off('data', check), ok());
      server!.stdout!.on('data', check);
      server!.once('exit', (code) => fail(new Error(`sluice serve exited with ${code}:\n${output}`)));
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    if (server && server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((r) => server!.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    await dex?.stop();
    // The sample app's processes outlive a stopped server by design; this test started them.
    if (dir) for (const p of ownedProcesses(join(dir, 'data'))) process.kill(p.pid, 'SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('offers single sign-on, goes through Dex and comes back signed in', async (ctx) => {
    if (!browser) return ctx.skip();
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(url);
      // The token form is still there; the button is there because the server says it may be.
      await page.getByTestId('sign-in-token').waitFor();
      const sso = page.getByTestId('sign-in-sso');
      await sso.waitFor();
      expect(await sso.textContent()).toBe('Sign in with single sign-on');
      await Promise.all([page.waitForURL((u) => u.href.startsWith(dex!.issuer)), sso.click()]);
      await page.fill('#login', USERS[0]!.email);
      await page.fill('#password', DEX_PASSWORD);
      await page.click('button[type=submit]');
      const signedIn = page.getByTestId('signed-in');
      await signedIn.waitFor();
      expect(new URL(page.url()).origin).toBe(url);
      expect(await signedIn.textContent()).toContain('Ada Lovelace');
      expect((await context.cookies(url)).some((c) => c.name === 'sluice_oidc_login')).toBe(false);
    } finally {
      await context.close();
    }
  });
});
