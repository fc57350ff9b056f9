import { describe, expect, it } from 'vitest';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { parse as parseYamlText, parseAllDocuments } from 'yaml';
import { decryptSopsFile, encryptSopsFile, isSopsFile } from './file.js';
import { goFormatFloat } from './cipher.js';
import type { AgeIdentities } from './age-keys.js';

const identity = await generateIdentity();
const recipient = await identityToRecipient(identity);
const ids: AgeIdentities = { identities: [identity], searched: ['test'] };

const yamlPlain = `# leading comment
apiVersion: v1
kind: Secret
metadata:
  name: db # inline
  annotations:
    note_unencrypted: visible
stringData:
  password: "s3cr3t-canary"
  multi: |
    line one
    line two
  list: [a, 1, 2.5, true]
  empty: ""
  nothing: null
  "123": numeric-key
`;

describe('sops round trip', () => {
  it('yaml: encrypts, leaves _unencrypted keys readable and decrypts exactly', async () => {
    const enc = await encryptSopsFile(yamlPlain, 'secret.yaml', { recipients: [recipient] });
    expect(enc).not.toContain('s3cr3t-canary');
    expect(enc).toContain('note_unencrypted: visible');
    expect(enc).toContain('ENC[AES256_GCM,');
    expect(isSopsFile(enc, 'secret.yaml')).toBe(true);
    const dec = await decryptSopsFile(enc, 'secret.yaml', ids);
    expect(parseYamlText(Buffer.from(dec.plaintext).toString())).toEqual(parseYamlText(yamlPlain));
    expect(dec.values).toContain('s3cr3t-canary');
  });

  it('yaml: keeps several documents', async () => {
    const plain = 'a: 1\n---\nb: two\n';
    const enc = await encryptSopsFile(plain, 'multi.yaml', { recipients: [recipient] });
    const dec = Buffer.from((await decryptSopsFile(enc, 'multi.yaml', ids)).plaintext).toString();
    expect(parseAllDocuments(dec).map((d) => (Array.isArray(d) ? null : d.toJS()))).toEqual([{ a: 1 }, { b: 'two' }]);
  });

  it('json keeps key order, duplicate-free ints and floats', async () => {
    const plain =
      '{\n\t"b": "x",\n\t"2": 10,\n\t"a": {\n\t\t"f": 1.5,\n\t\t"l": [\n\t\t\t1,\n\t\t\t"y",\n\t\t\tfalse\n\t\t]\n\t}\n}\n';
    const enc = await encryptSopsFile(plain, 's.json', { recipients: [recipient] });
    const dec = Buffer.from((await decryptSopsFile(enc, 's.json', ids)).plaintext).toString();
    expect(dec).toBe(plain);
  });

  it('dotenv and binary round-trip byte for byte', async () => {
    const env = '# comment\nDB_PASSWORD=hunter2-canary\nMULTI=a\\nb\nEMPTY=\n';
    const encEnv = await encryptSopsFile(env, 'app.env', { recipients: [recipient] });
    expect(encEnv).toMatch(/^sops_mac=ENC/m);
    expect(Buffer.from((await decryptSopsFile(encEnv, 'app.env', ids)).plaintext).toString()).toBe(env);
    const bin = 'any bytes\nat all: {\n';
    const encBin = await encryptSopsFile(bin, 'blob.txt', { recipients: [recipient] });
    expect(Buffer.from((await decryptSopsFile(encBin, 'blob.txt', ids)).plaintext).toString()).toBe(bin);
  });

  it('honours encrypted_regex', async () => {
    const enc = await encryptSopsFile(yamlPlain, 's.yaml', {
      recipients: [recipient],
      rules: { encryptedRegex: '^(data|stringData)$' },
    });
    expect(enc).toContain('kind: Secret');
    expect(enc).not.toContain('s3cr3t-canary');
    expect(enc).toContain('encrypted_regex:');
    const dec = await decryptSopsFile(enc, 's.yaml', ids);
    expect(parseYamlText(Buffer.from(dec.plaintext).toString())).toEqual(parseYamlText(yamlPlain));
  });
});

describe('sops failures', () => {
  it('wrong key', async () => {
    const enc = await encryptSopsFile(yamlPlain, 's.yaml', { recipients: [recipient] });
    const other = await generateIdentity();
    await expect(decryptSopsFile(enc, 's.yaml', { identities: [other], searched: [] })).rejects.toMatchObject({
      code: 'SOPS_WRONG_KEY',
    });
    await expect(decryptSopsFile(enc, 's.yaml', { identities: [], searched: ['x'] })).rejects.toMatchObject({
      code: 'SOPS_NO_KEY',
    });
  });

  it('a value moved to another key fails authentication', async () => {
    const enc = await encryptSopsFile('a: one\nb: two\n', 's.yaml', { recipients: [recipient] });
    const lines = enc.split('\n');
    const a = lines.findIndex((l) => l.startsWith('a: '));
    const b = lines.findIndex((l) => l.startsWith('b: '));
    const swapped = [...lines];
    swapped[a] = 'a: ' + lines[b]!.slice(3);
    swapped[b] = 'b: ' + lines[a]!.slice(3);
    const err = await decryptSopsFile(swapped.join('\n'), 's.yaml', ids).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SOPS_TAMPERED' });
    expect(String((err as Error).message)).toContain('s.yaml');
  });

  it('a removed value breaks the MAC', async () => {
    const enc = await encryptSopsFile('a: one\nb: two\n', 's.yaml', { recipients: [recipient] });
    const cut = enc
      .split('\n')
      .filter((l) => !l.startsWith('b: '))
      .join('\n');
    await expect(decryptSopsFile(cut, 's.yaml', ids)).rejects.toMatchObject({ code: 'SOPS_MAC_MISMATCH' });
  });
});

describe('goFormatFloat', () => {
  it('never uses exponents', () => {
    expect(goFormatFloat(1e21)).toBe('1000000000000000000000');
    expect(goFormatFloat(1.5e-7)).toBe('0.00000015');
    expect(goFormatFloat(2.5)).toBe('2.5');
    expect(goFormatFloat(-3)).toBe('-3');
  });
});
