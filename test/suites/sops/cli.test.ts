import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { secretsCommand } from '../../../src/cli/commands/secrets.js';
import { captureStd } from './canary.js';
import { ageKey, haveTools, sops } from './tools.js';

const suite = haveTools ? describe : describe.skip;
const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

const run = (...args: string[]) =>
  captureStd(() =>
    secretsCommand()
      .exitOverride()
      .parseAsync(['node', 'secrets', ...args]),
  );

suite('sluice secrets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-secrets-cli-'));
  const key = haveTools ? ageKey(dir) : undefined!;

  it('encrypt follows the .sops.yaml creation rule; real sops decrypts it; decrypt reads it back', async () => {
    writeFileSync(
      join(dir, '.sops.yaml'),
      `creation_rules:\n  - path_regex: \\.enc\\.yaml$\n    encrypted_regex: ^(data|stringData)$\n    age: ${key.recipient}\n`,
    );
    const file = join(dir, 's.enc.yaml');
    const plain = 'kind: Secret\nstringData:\n    token: cli-value-1\n';
    writeFileSync(file, plain);
    const enc = await run('encrypt', '-i', file);
    expect(enc.error).toBeUndefined();
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('kind: Secret');
    expect(text).not.toContain('cli-value-1');
    expect(sops(['-d', file], key).stdout).toBe(plain);
    process.env['SOPS_AGE_KEY_FILE'] = key.file;
    const dec = await run('decrypt', file);
    expect(dec.stdout).toBe(plain);
  });

  it('edit re-encrypts what the editor wrote, for the same recipients', async () => {
    const file = join(dir, 'e.env');
    writeFileSync(join(dir, 'plain.env'), 'A=1\n');
    writeFileSync(file, sops(['-e', '--age', key.recipient, join(dir, 'plain.env')], key).stdout);
    const editor = join(dir, 'editor.sh');
    writeFileSync(editor, '#!/bin/sh\necho "B=added" >> "$1"\n');
    chmodSync(editor, 0o755);
    process.env['SOPS_AGE_KEY_FILE'] = key.file;
    process.env['EDITOR'] = editor;
    delete process.env['VISUAL'];
    const r = await run('edit', file);
    expect(r.error).toBeUndefined();
    expect(sops(['-d', file], key).stdout).toBe('A=1\nB=added\n');
  });
});
