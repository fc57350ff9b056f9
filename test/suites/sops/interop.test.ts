import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { decryptSopsFile, encryptSopsFile, type AgeIdentities } from '../../../src/secrets/index.js';
import { ageKey, haveTools, sops } from './tools.js';

const suite = haveTools ? describe : describe.skip;

const samples: Record<string, string> = {
  'secret.yaml': `# Database credentials
apiVersion: v1
kind: Secret
metadata:
    name: db
    annotations:
        owner_unencrypted: team-a
stringData:
    password: "pa55 w0rd!"
    port: 5432
    ratio: 0.25
    enabled: true
    when: "2024-01-01"
    certificate: |
        -----BEGIN CERT-----
        abc
    list:
        - one
        - 2
    nothing: null
    empty: ""
---
kind: ConfigMap
data:
    a: b
`,
  'config.json':
    '{\n\t"user": "admin",\n\t"2": "numeric key first in file order",\n\t"n": 42,\n\t"f": 1.5,\n\t"big": 9007199254740993,\n\t"nested": {\n\t\t"l": [\n\t\t\ttrue,\n\t\t\tnull,\n\t\t\t"x"\n\t\t]\n\t}\n}\n',
  'app.env': '# comment line\nDB_URL=postgres://u:p@h/db\nMULTI=a\\nb\nEMPTY=\nEQ=a=b\n',
  'blob.bin': 'raw bytes ✓\nno structure at all\n',
};

suite('SOPS interop with the real sops', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-sops-'));
  const key = haveTools ? ageKey(dir) : undefined!;
  const ids = (): AgeIdentities => ({ identities: [key.identity], searched: [] });
  const typeArgs = (f: string) => (f.endsWith('.bin') ? ['--input-type', 'binary', '--output-type', 'binary'] : []);

  for (const [name, plain] of Object.entries(samples)) {
    it(`${name}: sops encrypts, Sluice decrypts exactly what sops -d prints`, async () => {
      const src = join(dir, name);
      writeFileSync(src, plain);
      const enc = sops(['-e', '--age', key.recipient, ...typeArgs(name), src], key);
      expect(enc.stderr).toBe('');
      const encFile = join(dir, `enc.${name}`);
      writeFileSync(encFile, enc.stdout);
      const expected = sops(['-d', ...typeArgs(name), encFile], key);
      expect(expected.status).toBe(0);
      const ours = await decryptSopsFile(enc.stdout, name, ids());
      expect(Buffer.from(ours.plaintext).toString('utf8')).toBe(expected.stdout);
    });

    it(`${name}: Sluice encrypts, sops -d returns the same data`, async () => {
      const ours = await encryptSopsFile(plain, name, { recipients: [key.recipient] });
      const file = join(dir, `ours.${name}`);
      writeFileSync(file, ours);
      const out = sops(['-d', ...typeArgs(name), file], key);
      expect(out.stderr).toBe('');
      expect(out.status).toBe(0);
      if (name.endsWith('.yaml')) {
        const docs = (t: string) => t.split(/^---$/m).map((d) => parseYaml(d));
        expect(docs(out.stdout)).toEqual(docs(plain));
      } else {
        expect(out.stdout).toBe(plain);
      }
    });
  }

  it('honours encrypted_regex and mac_only_encrypted both ways', async () => {
    const name = 'k8s.yaml';
    const plain = 'apiVersion: v1\nkind: Secret\nmetadata:\n    name: s\ndata:\n    token: dG9r\n';
    writeFileSync(join(dir, name), plain);
    const enc = sops(
      [
        '-e',
        '--age',
        key.recipient,
        '--encrypted-regex',
        '^(data|stringData)$',
        '--mac-only-encrypted',
        join(dir, name),
      ],
      key,
    );
    expect(enc.stdout).toContain('kind: Secret');
    expect(Buffer.from((await decryptSopsFile(enc.stdout, name, ids())).plaintext).toString()).toBe(plain);
    const ours = await encryptSopsFile(plain, name, {
      recipients: [key.recipient],
      rules: { encryptedRegex: '^(data|stringData)$', macOnlyEncrypted: true },
    });
    writeFileSync(join(dir, 'ours.k8s.yaml'), ours);
    expect(sops(['-d', join(dir, 'ours.k8s.yaml')], key).stdout).toBe(plain);
  });

  describe('damaged files fail clearly', () => {
    const make = () => {
      const src = join(dir, 'd.yaml');
      writeFileSync(src, 'a: first-secret\nb: second-secret\n');
      return sops(['-e', '--age', key.recipient, src], key).stdout;
    };

    it('a tampered value', async () => {
      const enc = make();
      const tampered = enc.replace(
        /^(a: ENC\[AES256_GCM,data:)(.)/m,
        (_m, p: string, c: string) => p + (c === 'A' ? 'B' : 'A'),
      );
      const err = await decryptSopsFile(tampered, 'd.yaml', ids()).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'SOPS_TAMPERED', location: { file: 'd.yaml', field: 'a' } });
      expect((err as Error).message).not.toContain('first-secret');
      expect((err as { hint?: string }).hint).toBeTruthy();
    });

    it('a bad MAC (re-stamped lastmodified, removed value)', async () => {
      const enc = make();
      const restamped = enc.replace(/lastmodified: "([^"]+)"/, 'lastmodified: "2001-01-01T00:00:00Z"');
      await expect(decryptSopsFile(restamped, 'd.yaml', ids())).rejects.toMatchObject({ code: 'SOPS_MAC_MISMATCH' });
      const removed = enc
        .split('\n')
        .filter((l) => !l.startsWith('b: '))
        .join('\n');
      await expect(decryptSopsFile(removed, 'd.yaml', ids())).rejects.toMatchObject({ code: 'SOPS_MAC_MISMATCH' });
      // The reference agrees that both are broken.
      writeFileSync(join(dir, 'removed.yaml'), removed);
      expect(sops(['-d', join(dir, 'removed.yaml')], key).status).not.toBe(0);
    });

    it('a wrong key', async () => {
      const other = ageKey(mkdtempSync(join(tmpdir(), 'sluice-age-other-')));
      const err = await decryptSopsFile(make(), 'd.yaml', { identities: [other.identity], searched: [] }).catch(
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ code: 'SOPS_WRONG_KEY' });
      expect((err as { hint?: string }).hint).toContain(key.recipient);
    });
  });

  it('reads encrypted comments, and rejects what sops itself rejects', async () => {
    // sops 3.13.2 turns a comment inside a sequence into an item and then fails its own MAC
    // check on it; Sluice must agree rather than accept a file the reference refuses.
    const listComment = join(dir, 'lc.yaml');
    writeFileSync(listComment, 'list:\n    # inside\n    - item\n');
    const lc = sops(['-e', '--age', key.recipient, listComment], key).stdout;
    writeFileSync(join(dir, 'enc.lc.yaml'), lc);
    expect(sops(['-d', join(dir, 'enc.lc.yaml')], key).status).not.toBe(0);
    await expect(decryptSopsFile(lc, 'lc.yaml', ids())).rejects.toMatchObject({ code: 'SOPS_MAC_MISMATCH' });

    const src = join(dir, 'c.yaml');
    writeFileSync(src, '# head\nkey: value # trailing\nlist:\n    - item\n# foot\n');
    const enc = sops(['-e', '--age', key.recipient, src], key).stdout;
    writeFileSync(join(dir, 'enc.c.yaml'), enc);
    const ours = Buffer.from((await decryptSopsFile(enc, 'c.yaml', ids())).plaintext).toString();
    expect(parseYaml(ours)).toEqual(parseYaml(sops(['-d', join(dir, 'enc.c.yaml')], key).stdout));
    expect(ours).toContain('# head');
    expect(readFileSync(join(dir, 'enc.c.yaml'), 'utf8')).not.toContain('# head');
  });
});
