import { randomBytes } from 'node:crypto';
import { SecretError } from '../errors.js';
import { decryptTree, encryptTree, TreeDecryptError } from './crypt.js';
import { decryptValue, encryptValue, ValueAuthError } from './cipher.js';
import { emitDotenv, flattenBranch, parseDotenv, unflattenToObject } from './format-dotenv.js';
import { emitJson, parseJson } from './format-json.js';
import { emitYaml, parseYaml } from './format-yaml.js';
import { unwrapDataKey, wrapDataKey, type AgeIdentities } from './age-keys.js';
import {
  DEFAULT_UNENCRYPTED_SUFFIX,
  macAdditionalData,
  metadataToBranch,
  nowRfc3339,
  parseMetadata,
  type EncryptionRules,
  type SopsMetadata,
} from './metadata.js';
import { Branch, Comment, TimeValue, type Node, type Tree } from './tree.js';

/** Store formats, chosen by file name exactly as SOPS chooses them. */
export type SopsFormat = 'yaml' | 'json' | 'dotenv' | 'binary';

/** The version written into files; it names the SOPS file format Sluice reads and writes. */
export const SOPS_FORMAT_VERSION = '3.13.2';

export function formatForPath(path: string): SopsFormat {
  const lower = path.toLowerCase();
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'yaml';
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.env')) return 'dotenv';
  return 'binary';
}

interface Loaded {
  format: SopsFormat;
  tree: Tree;
  metadata: SopsMetadata;
}

/** Cheap test before parsing: every SOPS file carries a `lastmodified` metadata field. */
export function mightBeSops(text: string): boolean {
  return text.includes('lastmodified') && text.includes('sops');
}

/** True if `bytes` at `path` is a SOPS-encrypted file (parsed, not guessed). */
export function isSopsFile(bytes: Uint8Array | string, path: string): boolean {
  const text = typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8');
  if (!mightBeSops(text)) return false;
  try {
    return load(text, path) !== undefined;
  } catch {
    return false;
  }
}

/** Recipients and encryption rules of an encrypted file, to re-encrypt it the same way. */
export function inspectSopsFile(
  bytes: Uint8Array | string,
  file: string,
): { recipients: string[]; rules: EncryptionRules } | undefined {
  const text = typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8');
  const loaded = mightBeSops(text) ? load(text, file) : undefined;
  if (!loaded) return undefined;
  const md = loaded.metadata;
  const rules: EncryptionRules = {};
  for (const k of [
    'unencryptedSuffix',
    'encryptedSuffix',
    'unencryptedRegex',
    'encryptedRegex',
    'unencryptedCommentRegex',
    'encryptedCommentRegex',
  ] as const) {
    if (md[k] !== undefined) rules[k] = md[k];
  }
  if (md.macOnlyEncrypted) rules.macOnlyEncrypted = true;
  return { recipients: md.age.map((a) => a.recipient), rules };
}

function parseTree(text: string, format: SopsFormat): Tree {
  switch (format) {
    case 'yaml':
      return parseYaml(text);
    case 'dotenv':
      return parseDotenv(text);
    default:
      return parseJson(text);
  }
}

function load(text: string, file: string): Loaded | undefined {
  const format = formatForPath(file);
  const tree = parseTree(text, format);
  let raw: Record<string, unknown> | undefined;
  if (format === 'dotenv') {
    const b = tree[0] ?? new Branch();
    const meta = b.items.filter((i) => typeof i.key === 'string' && i.key.startsWith('sops_'));
    if (meta.length === 0) return undefined;
    raw = unflattenToObject(meta.map((i) => [(i.key as string).slice(5), String(i.value)]));
    tree[0] = new Branch(b.items.filter((i) => !meta.includes(i)));
  } else {
    tree.forEach((b, idx) => {
      const found = b.items.filter((i) => i.key === 'sops');
      if (idx === 0 && found[0] && found[0].value instanceof Branch)
        raw = toPlain(found[0].value) as Record<string, unknown>;
      tree[idx] = new Branch(b.items.filter((i) => i.key !== 'sops'));
    });
    if (!raw) return undefined;
  }
  if (!('lastmodified' in raw) && !('mac' in raw)) return undefined;
  return { format, tree, metadata: parseMetadata(raw, file) };
}

function toPlain(n: Node): unknown {
  if (n instanceof Branch) {
    const o: Record<string, unknown> = {};
    for (const i of n.items) if (typeof i.key === 'string') o[i.key] = toPlain(i.value);
    return o;
  }
  if (Array.isArray(n)) return n.filter((v) => !(v instanceof Comment)).map(toPlain);
  if (n instanceof TimeValue) return n.text;
  if (typeof n === 'bigint') return Number(n);
  return n;
}

export interface DecryptedFile {
  plaintext: Uint8Array;
  format: SopsFormat;
  /** Every decrypted string value, so a masker can learn them. */
  values: string[];
}

/**
 * Decrypts a SOPS file in memory and verifies its MAC. Throws SecretError (naming the file,
 * never a value) for a wrong key, a tampered value or a MAC mismatch.
 */
export async function decryptSopsFile(
  bytes: Uint8Array | string,
  file: string,
  ids: AgeIdentities,
): Promise<DecryptedFile> {
  const text = typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8');
  let loaded: Loaded | undefined;
  try {
    loaded = load(text, file);
  } catch (e) {
    if (e instanceof SecretError) throw e;
    throw new SecretError('SOPS_INVALID', `${file} cannot be read as ${formatForPath(file)}: ${(e as Error).message}`, {
      file,
      hint: 'SOPS picks the format from the file extension (.yaml, .json, .env; anything else is binary).',
    });
  }
  if (!loaded) {
    throw new SecretError('SOPS_INVALID', `${file} is not a SOPS-encrypted file (no sops metadata)`, {
      file,
      hint: 'Encrypt it with `sluice secrets encrypt` or `sops -e -i`.',
    });
  }
  const { tree, metadata: md, format } = loaded;
  if (md.age.length === 0) {
    throw new SecretError(
      'SOPS_UNSUPPORTED',
      `${file} has no age recipients (it uses ${md.otherKeyTypes.join(', ') || 'no keys'})`,
      {
        file,
        hint: 'Sluice decrypts with age keys; add an age recipient with `sops updatekeys` or `sops -r -i --add-age`.',
      },
    );
  }
  const key = await unwrapDataKey(md.age, ids, file);
  // Only values that were encrypted are secrets; the rest of a partly encrypted file (a
  // command, a port) stays readable in messages.
  const secretSlots = encryptedSlots(tree);
  let computed: string;
  try {
    computed = decryptTree(tree, key, md);
  } catch (e) {
    if (!(e instanceof TreeDecryptError)) throw e;
    const f = e.failure;
    if (f.kind === 'tampered') {
      throw new SecretError(
        'SOPS_TAMPERED',
        `${file}: the value at "${f.path}" fails authentication; it was changed or moved after encryption`,
        {
          file,
          field: f.path,
          hint: 'Restore the file from Git history or re-encrypt it from a trusted plaintext; never edit encrypted values by hand.',
        },
      );
    }
    throw new SecretError('SOPS_INVALID', `${file}: the value at "${f.path}" is malformed: ${f.detail}`, {
      file,
      field: f.path,
    });
  }
  let stored: string;
  try {
    const d = decryptValue(md.mac, key, macAdditionalData(md.lastmodified));
    stored = typeof d.value === 'string' ? d.value : '';
  } catch (e) {
    const reason = e instanceof ValueAuthError ? 'the stored MAC fails authentication' : 'the stored MAC is malformed';
    throw macError(file, reason);
  }
  if (stored !== computed)
    throw macError(file, stored === '' ? 'the file has no MAC' : 'the MAC does not match the values');
  const values = secretSlots.map((read) => read()).filter((v): v is string => typeof v === 'string' && v !== '');
  return { plaintext: Buffer.from(emit(tree, format), 'utf8'), format, values };
}

function macError(file: string, reason: string): SecretError {
  return new SecretError(
    'SOPS_MAC_MISMATCH',
    `${file}: MAC check failed (${reason}); values were added, removed, reordered or re-stamped`,
    {
      file,
      hint: 'Restore the file from Git history or re-encrypt it from a trusted plaintext.',
    },
  );
}

/** Readers for every value still in its `ENC[...]` form, to be called after decryption in place. */
function encryptedSlots(n: Node | Tree): (() => unknown)[] {
  const out: (() => unknown)[] = [];
  const isEnc = (v: unknown) => typeof v === 'string' && v.startsWith('ENC[');
  const walk = (node: Node | Tree): void => {
    if (node instanceof Branch) {
      for (const item of node.items) {
        if (isEnc(item.value)) out.push(() => item.value);
        else walk(item.value);
      }
    } else if (Array.isArray(node)) {
      node.forEach((v, i) => {
        if (isEnc(v)) out.push(() => (node as unknown[])[i]);
        else walk(v as Node);
      });
    }
  };
  walk(n);
  return out;
}

function emit(tree: Tree, format: SopsFormat): string {
  switch (format) {
    case 'yaml':
      return emitYaml(tree);
    case 'json':
      return emitJson(tree);
    case 'dotenv':
      return emitDotenv(tree);
    case 'binary': {
      const data = tree[0]?.get('data');
      return typeof data === 'string' ? data : '';
    }
  }
}

export interface EncryptOptions {
  recipients: string[];
  rules?: EncryptionRules;
}

/** Encrypts a plaintext file into the SOPS format real `sops -d` reads. */
export async function encryptSopsFile(
  plain: Uint8Array | string,
  file: string,
  options: EncryptOptions,
): Promise<string> {
  const text = typeof plain === 'string' ? plain : Buffer.from(plain).toString('utf8');
  const format = formatForPath(file);
  if (options.recipients.length === 0) {
    throw new SecretError('SOPS_NO_RECIPIENT', `no age recipient to encrypt ${file} for`, {
      file,
      hint: 'Pass --age <age1…> or add a creation rule with `age:` to .sops.yaml.',
    });
  }
  let tree: Tree;
  try {
    tree = format === 'binary' ? [new Branch([{ key: 'data', value: text }])] : parseTree(text, format);
  } catch (e) {
    throw new SecretError('SOPS_INVALID', `${file} cannot be read as ${format}: ${(e as Error).message}`, { file });
  }
  if (format !== 'binary' && isSopsFile(text, file)) {
    throw new SecretError('SOPS_INVALID', `${file} is already encrypted`, {
      file,
      hint: 'Use `sluice secrets edit` to change it.',
    });
  }
  const rules: EncryptionRules = { ...(options.rules ?? {}) };
  const ruleCount = [
    'unencryptedSuffix',
    'encryptedSuffix',
    'unencryptedRegex',
    'encryptedRegex',
    'unencryptedCommentRegex',
    'encryptedCommentRegex',
  ].filter((k) => rules[k as keyof EncryptionRules] !== undefined).length;
  if (ruleCount > 1)
    throw new SecretError(
      'SOPS_INVALID',
      'only one of the encrypted/unencrypted suffix and regex settings may be used',
      { file },
    );
  if (ruleCount === 0) rules.unencryptedSuffix = DEFAULT_UNENCRYPTED_SUFFIX;
  const dataKey = randomBytes(32);
  const mac = encryptTree(tree, dataKey, rules);
  const lastmodified = nowRfc3339();
  const md: SopsMetadata = {
    age: await wrapDataKey(dataKey, options.recipients),
    otherKeyTypes: [],
    lastmodified,
    mac: encryptValue(mac, dataKey, lastmodified),
    version: SOPS_FORMAT_VERSION,
    ...rules,
  };
  const meta = metadataToBranch(md);
  if (format === 'dotenv') {
    const b = tree[0] ?? new Branch();
    tree[0] = new Branch([...b.items, ...flattenBranch(meta, 'sops_')]);
    return emitDotenv(tree);
  }
  const withMeta = tree.map((b) => new Branch([...b.items, { key: 'sops', value: meta }]));
  return format === 'yaml' ? emitYaml(withMeta) : emitJson(withMeta);
}
