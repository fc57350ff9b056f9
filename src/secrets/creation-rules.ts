import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import { SecretError } from './errors.js';
import type { EncryptionRules } from './sops/metadata.js';

export const SOPS_CONFIG_FILE = '.sops.yaml';

export interface CreationRule {
  recipients: string[];
  rules: EncryptionRules;
  /** The .sops.yaml the rule came from, for messages. */
  configFile: string;
}

/** Finds the nearest .sops.yaml at or above `from` (a directory). */
export function findSopsConfig(from: string): string | undefined {
  let dir = resolve(from);
  for (;;) {
    const p = join(dir, SOPS_CONFIG_FILE);
    if (existsSync(p)) return p;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/**
 * The first `creation_rules` entry of the nearest .sops.yaml whose `path_regex` matches the
 * file (as given, or relative to the config's directory), the way `sops -e` picks recipients.
 */
export function creationRuleFor(
  file: string,
  configPath = findSopsConfig(dirname(resolve(file))),
): CreationRule | undefined {
  if (!configPath) return undefined;
  let doc: { creation_rules?: Record<string, unknown>[] };
  try {
    doc = (parse(readFileSync(configPath, 'utf8')) ?? {}) as typeof doc;
  } catch (e) {
    throw new SecretError('SOPS_INVALID', `cannot read ${configPath}: ${(e as Error).message.split('\n')[0]}`, {
      file: configPath,
    });
  }
  const rel = relative(dirname(configPath), resolve(file)).split('\\').join('/');
  for (const rule of doc.creation_rules ?? []) {
    const re = typeof rule['path_regex'] === 'string' ? new RegExp(rule['path_regex']) : undefined;
    if (re && !re.test(rel) && !re.test(file)) continue;
    const recipients = [...ageList(rule['age'])];
    const groups = rule['key_groups'];
    if (Array.isArray(groups))
      for (const g of groups) recipients.push(...ageList((g as Record<string, unknown>)['age']));
    const rules: EncryptionRules = {};
    const str = (k: string): string | undefined => (typeof rule[k] === 'string' ? (rule[k] as string) : undefined);
    const map = [
      ['unencrypted_suffix', 'unencryptedSuffix'],
      ['encrypted_suffix', 'encryptedSuffix'],
      ['unencrypted_regex', 'unencryptedRegex'],
      ['encrypted_regex', 'encryptedRegex'],
      ['unencrypted_comment_regex', 'unencryptedCommentRegex'],
      ['encrypted_comment_regex', 'encryptedCommentRegex'],
    ] as const;
    for (const [k, f] of map) {
      const v = str(k);
      if (v !== undefined) rules[f] = v;
    }
    if (rule['mac_only_encrypted'] === true) rules.macOnlyEncrypted = true;
    return { recipients, rules, configFile: configPath };
  }
  return undefined;
}

function ageList(v: unknown): string[] {
  if (typeof v === 'string')
    return v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (Array.isArray(v)) return v.flatMap(ageList);
  return [];
}
