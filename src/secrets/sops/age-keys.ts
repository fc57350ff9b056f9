import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { armor, Decrypter, Encrypter } from 'age-encryption';
import { SecretError } from '../errors.js';
import type { AgeKeyEntry } from './metadata.js';

/** age identities found the way SOPS finds them, plus where they were looked for (for hints). */
export interface AgeIdentities {
  identities: string[];
  searched: string[];
}

export const SOPS_AGE_KEY = 'SOPS_AGE_KEY';
export const SOPS_AGE_KEY_FILE = 'SOPS_AGE_KEY_FILE';

/**
 * Reads identities from SOPS_AGE_KEY (several per line allowed), SOPS_AGE_KEY_FILE and the user
 * key file (`$XDG_CONFIG_HOME/sops/age/keys.txt`, default `~/.config/sops/age/keys.txt`).
 */
export function loadAgeIdentities(env: NodeJS.ProcessEnv = process.env): AgeIdentities {
  const identities: string[] = [];
  const searched: string[] = [];
  const inline = env[SOPS_AGE_KEY];
  searched.push(SOPS_AGE_KEY);
  if (inline) identities.push(...parseIdentities(inline, true, SOPS_AGE_KEY));
  const file = env[SOPS_AGE_KEY_FILE];
  if (file) {
    searched.push(`${SOPS_AGE_KEY_FILE} (${file})`);
    identities.push(...parseIdentities(readKeyFile(file, SOPS_AGE_KEY_FILE), false, file));
  }
  const configHome = env['XDG_CONFIG_HOME'] || join(env['HOME'] || homedir(), '.config');
  const userFile = join(configHome, 'sops', 'age', 'keys.txt');
  searched.push(userFile);
  const text = readKeyFile(userFile, undefined);
  if (text) identities.push(...parseIdentities(text, false, userFile));
  return { identities, searched };
}

function readKeyFile(path: string, requiredBy: string | undefined): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if (requiredBy === undefined && (e as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw new SecretError(
      'SOPS_NO_KEY',
      `cannot read age key file ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
      {
        file: path,
        hint: `Check the path in ${requiredBy ?? 'the environment'} and the file's permissions.`,
      },
    );
  }
}

/** Parses identity lines; the error never repeats the offending text, which may be a key. */
export function parseIdentities(text: string, manyPerLine: boolean, source: string): string[] {
  const out: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) return;
    for (const word of manyPerLine ? t.split(/\s+/) : [t]) {
      if (!/^AGE-SECRET-KEY-(PQ-)?1[0-9A-Z]+$/.test(word)) {
        throw new SecretError('SOPS_BAD_KEY', `${source}: line ${i + 1} is not an age identity (AGE-SECRET-KEY-1…)`, {
          hint: 'Generate one with `age-keygen`; plugin and SSH identities are not supported.',
        });
      }
      out.push(word);
    }
  });
  return out;
}

export function isAgeRecipient(s: string): boolean {
  return /^age1[0-9a-z]+$/.test(s);
}

/** Opens the file's data key with any identity that matches any of its age recipients. */
export async function unwrapDataKey(entries: AgeKeyEntry[], ids: AgeIdentities, file: string): Promise<Uint8Array> {
  if (ids.identities.length === 0) {
    throw new SecretError('SOPS_NO_KEY', `cannot decrypt ${file}: no age identity found`, {
      file,
      hint: `Set ${SOPS_AGE_KEY} or ${SOPS_AGE_KEY_FILE}, or put the key in ~/.config/sops/age/keys.txt (looked in: ${ids.searched.join(', ')}).`,
    });
  }
  const d = new Decrypter();
  for (const id of ids.identities) d.addIdentity(id);
  for (const e of entries) {
    let raw: Uint8Array;
    try {
      raw = armor.decode(e.enc);
    } catch {
      continue;
    }
    try {
      const key = await d.decrypt(raw);
      if (key.length === 32) return key;
    } catch {
      // Not for us (or damaged): try the next recipient entry.
    }
  }
  throw new SecretError(
    'SOPS_WRONG_KEY',
    `cannot decrypt ${file}: none of the available age identities matches its recipients`,
    {
      file,
      hint: `The file is encrypted for ${entries.map((e) => e.recipient).join(', ') || 'no age recipient'}; load the matching identity into ${SOPS_AGE_KEY} or ${SOPS_AGE_KEY_FILE}.`,
    },
  );
}

/** Wraps the data key for each recipient as SOPS does: one armored age file per recipient. */
export async function wrapDataKey(dataKey: Uint8Array, recipients: string[]): Promise<AgeKeyEntry[]> {
  const out: AgeKeyEntry[] = [];
  for (const r of recipients) {
    if (!isAgeRecipient(r)) {
      throw new SecretError('SOPS_BAD_KEY', `"${r}" is not an age recipient (age1…)`, {
        hint: 'Use the public key printed by `age-keygen -y <keyfile>`.',
      });
    }
    const e = new Encrypter();
    e.addRecipient(r);
    out.push({ recipient: r, enc: armor.encode(await e.encrypt(dataKey)) });
  }
  return out;
}
