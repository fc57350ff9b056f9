import { describe, expect, it } from 'vitest';
import { affectedApps } from './affected.js';

const apps = [
  { name: 'payments', path: 'apps/payments' },
  { name: 'pay', path: 'apps/pay/' },
  { name: 'web', path: './apps/web' },
];

describe('affectedApps', () => {
  it('maps a change under an app directory to that app only', () => {
    expect(affectedApps(['apps/payments/overlays/dev/kustomization.yaml'], apps)).toEqual({
      all: false,
      apps: ['payments'],
    });
  });

  it('does not confuse apps whose names share a prefix', () => {
    expect(affectedApps(['apps/pay/base/x.yaml'], apps).apps).toEqual(['pay']);
    expect(affectedApps(['apps/paymentsx/a.yaml'], apps).apps).toEqual([]);
  });

  it('affects every app when the project file changes', () => {
    expect(affectedApps(['sluice.yaml', 'README.md'], apps)).toEqual({ all: true, apps: ['payments', 'pay', 'web'] });
  });

  it('affects nothing for changes elsewhere', () => {
    expect(affectedApps(['README.md', 'docs/a.md', 'apps/other/x'], apps)).toEqual({ all: false, apps: [] });
    expect(affectedApps([], apps)).toEqual({ all: false, apps: [] });
  });

  it('counts both sides of a rename between apps', () => {
    expect(affectedApps(['apps/payments/base/a.yaml', 'apps/web/base/a.yaml'], apps).apps).toEqual(['payments', 'web']);
  });

  it('honours another project file name', () => {
    expect(affectedApps(['config/sluice.yaml'], apps, 'config/sluice.yaml').all).toBe(true);
    expect(affectedApps(['sluice.yaml'], apps, 'config/sluice.yaml').all).toBe(false);
  });
});
