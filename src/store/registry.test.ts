import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SluiceError } from '../errors/index.js';
import { StoreLocationError } from './errors.js';
import { openStore } from './registry.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'sluice-registry-'));
  dirs.push(d);
  return d;
};

describe('openStore', () => {
  it('opens SQLite in the data directory when no location is given', async () => {
    const dir = temp();
    const s = openStore(dir);
    await s.addEvent({ project: 'p', type: 't', severity: 'info', message: 'm' });
    await s.close();
    expect(existsSync(join(dir, 'sluice.db'))).toBe(true);
  });

  it('opens the SQLite file a sqlite: location names', async () => {
    const dir = temp();
    const s = openStore(join(dir, 'data'), { location: `sqlite:${join(dir, 'elsewhere', 'x.db')}` });
    await s.addEvent({ project: 'p', type: 't', severity: 'info', message: 'm' });
    await s.close();
    expect(existsSync(join(dir, 'elsewhere', 'x.db'))).toBe(true);
    expect(existsSync(join(dir, 'data', 'sluice.db'))).toBe(false);
  });

  it('refuses a location no kind of store understands, naming the forms it accepts and no password', () => {
    let error: unknown;
    try {
      openStore(temp(), { location: 'mysql://u:secret@h/db' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StoreLocationError);
    const text = (error as SluiceError).describe();
    expect(text).toMatch(/postgres:\/\//);
    expect(text).toMatch(/sqlite:/);
    expect(text).not.toMatch(/secret/);
  });
});
