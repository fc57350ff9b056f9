import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEX_PASSWORD } from '../../support/dex.js';
import { chromiumAvailable, launchChromium } from '../ui/browser.js';
import { SESSION_COOKIE, startRig, USERS, type SsoRig } from './harness.js';

/** A person signing in: real Chromium, Dex's own login page, back through the callback. */
describe('single sign-on in a real browser', () => {
  let rig: SsoRig | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    if (!chromiumAvailable()) return;
    rig = await startRig();
    if (rig) browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await rig?.stop();
  });

  it("goes through Dex's login page and comes back signed in", async (ctx) => {
    if (!rig || !browser) return ctx.skip();
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${rig.url}/auth/oidc/login?returnTo=%2Fapps`);
      // Dex's page, not ours.
      await page.waitForURL((u) => u.href.startsWith(rig!.dex.issuer));
      await page.fill('#login', USERS[0]!.email);
      await page.fill('#password', DEX_PASSWORD);
      await Promise.all([page.waitForURL(`${rig.url}/apps`), page.click('button[type=submit]')]);
      expect(await page.textContent('#who')).toBe('signed in as Ada Lovelace');

      const cookies = await context.cookies(rig.url);
      const session = cookies.find((c) => c.name === SESSION_COOKIE);
      expect(session?.httpOnly).toBe(true);
      expect(cookies.some((c) => c.name === 'sluice_oidc_login')).toBe(false);
      expect(rig.sessions.map((s) => [s.email, s.groups])).toEqual([
        ['ada@example.com', ['release-managers', 'payments']],
      ]);
    } finally {
      await context.close();
    }
  });

  it('shows a wrong password on Dex and starts no session', async (ctx) => {
    if (!rig || !browser) return ctx.skip();
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${rig.url}/auth/oidc/login`);
      await page.waitForURL((u) => u.href.startsWith(rig!.dex.issuer));
      await page.fill('#login', USERS[1]!.email);
      await page.fill('#password', 'not-the-password');
      await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
      await expect.poll(() => page.textContent('body')).toMatch(/invalid/i);
      expect(page.url().startsWith(rig.dex.issuer)).toBe(true);
      expect((await context.cookies(rig.url)).some((c) => c.name === SESSION_COOKIE)).toBe(false);
      expect(rig.sessions.some((s) => s.email === USERS[1]!.email)).toBe(false);
    } finally {
      await context.close();
    }
  });
});
