import { SecretError } from '../errors.js';
import { Branch, type Node } from './tree.js';

/** The `sops` block of an encrypted file, with the fields Sluice understands. */
export interface SopsMetadata {
  age: AgeKeyEntry[];
  /** Key types present that Sluice cannot open (pgp, kms, …), for the error message. */
  otherKeyTypes: string[];
  lastmodified: string;
  mac: string;
  version: string;
  unencryptedSuffix?: string;
  encryptedSuffix?: string;
  unencryptedRegex?: string;
  encryptedRegex?: string;
  unencryptedCommentRegex?: string;
  encryptedCommentRegex?: string;
  macOnlyEncrypted?: boolean;
}

export interface AgeKeyEntry {
  recipient: string;
  enc: string;
}

const RULE_FIELDS = [
  ['unencrypted_suffix', 'unencryptedSuffix'],
  ['encrypted_suffix', 'encryptedSuffix'],
  ['unencrypted_regex', 'unencryptedRegex'],
  ['encrypted_regex', 'encryptedRegex'],
  ['unencrypted_comment_regex', 'unencryptedCommentRegex'],
  ['encrypted_comment_regex', 'encryptedCommentRegex'],
] as const;

export type EncryptionRules = Partial<Pick<SopsMetadata, (typeof RULE_FIELDS)[number][1] | 'macOnlyEncrypted'>>;

const OTHER_KEY_TYPES = ['pgp', 'kms', 'gcp_kms', 'hckms', 'azure_kv', 'hc_vault'];

export const DEFAULT_UNENCRYPTED_SUFFIX = '_unencrypted';

/** Reads the metadata mapping; `file` is for messages only. */
export function parseMetadata(raw: Record<string, unknown>, file: string): SopsMetadata {
  const invalid = (what: string): never => {
    throw new SecretError('SOPS_INVALID', `${file}: malformed sops metadata: ${what}`, {
      file,
      hint: 'Re-create the file with `sops` or `sluice secrets encrypt`; do not edit the sops block by hand.',
    });
  };
  const str = (k: string): string | undefined => {
    const v = raw[k];
    if (v === undefined || v === null || v === '') return undefined;
    return typeof v === 'string' ? v : String(v);
  };
  let ageList: unknown = raw['age'];
  const groups = raw['key_groups'];
  if (Array.isArray(groups) && groups.length > 0) {
    if (groups.length > 1) {
      throw new SecretError('SOPS_UNSUPPORTED', `${file} uses ${groups.length} key groups (Shamir secret sharing)`, {
        file,
        hint: 'Sluice decrypts files with a single key group; re-encrypt with one group of age recipients.',
      });
    }
    ageList = (groups[0] as Record<string, unknown>)['age'];
  }
  const age: AgeKeyEntry[] = [];
  if (ageList !== undefined && ageList !== null) {
    if (!Array.isArray(ageList)) invalid('age is not a list');
    for (const e of ageList as unknown[]) {
      const o = e as Record<string, unknown>;
      if (typeof o?.['recipient'] !== 'string' || typeof o['enc'] !== 'string')
        invalid('age entry without recipient and enc');
      age.push({ recipient: o['recipient'] as string, enc: o['enc'] as string });
    }
  }
  const lastmodified = str('lastmodified') ?? invalid('lastmodified is missing');
  const md: SopsMetadata = {
    age,
    otherKeyTypes: OTHER_KEY_TYPES.filter((k) => Array.isArray(raw[k]) && (raw[k] as unknown[]).length > 0),
    lastmodified,
    mac: str('mac') ?? '',
    version: str('version') ?? '',
  };
  let rules = 0;
  for (const [yamlKey, field] of RULE_FIELDS) {
    const v = str(yamlKey);
    if (v !== undefined) {
      md[field] = v;
      rules++;
    }
  }
  if (rules > 1) invalid('more than one of the encrypted/unencrypted suffix, regex and comment regex settings');
  if (rules === 0) md.unencryptedSuffix = DEFAULT_UNENCRYPTED_SUFFIX;
  const macOnly = raw['mac_only_encrypted'];
  md.macOnlyEncrypted = macOnly === true || macOnly === 'true';
  return md;
}

/** The metadata as SOPS writes it: keys in alphabetical order, empty fields left out. */
export function metadataToBranch(md: SopsMetadata): Branch {
  const entries: [string, Node][] = [];
  entries.push([
    'age',
    md.age.map(
      (a) =>
        new Branch([
          { key: 'enc', value: a.enc },
          { key: 'recipient', value: a.recipient },
        ]),
    ),
  ]);
  entries.push(['lastmodified', md.lastmodified]);
  entries.push(['mac', md.mac]);
  if (md.macOnlyEncrypted) entries.push(['mac_only_encrypted', true]);
  for (const [yamlKey, field] of RULE_FIELDS) {
    const v = md[field];
    // The default suffix is implied when no rule is set; SOPS writes it anyway.
    if (v !== undefined) entries.push([yamlKey, v]);
  }
  entries.push(['version', md.version]);
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return new Branch(entries.map(([key, value]) => ({ key, value })));
}

/** The timestamp text SOPS authenticates the MAC with: RFC 3339 without fractional seconds. */
export function macAdditionalData(lastmodified: string): string {
  return lastmodified.replace(/\.\d+(?=Z|[+-]\d\d:\d\d$)/, '');
}

/** `2006-01-02T15:04:05Z` for now, the way SOPS stamps a file it writes. */
export function nowRfc3339(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}
