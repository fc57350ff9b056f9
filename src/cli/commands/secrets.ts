import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
  closeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Command } from 'commander';
import {
  creationRuleFor,
  decryptSopsFile,
  encryptSopsFile,
  inspectSopsFile,
  loadAgeIdentities,
  SecretError,
  type EncryptionRules,
} from '../../secrets/index.js';

interface EncryptFlags {
  age?: string;
  inPlace?: boolean;
  outputFile?: string;
  encryptedRegex?: string;
  unencryptedRegex?: string;
  encryptedSuffix?: string;
  unencryptedSuffix?: string;
  macOnlyEncrypted?: boolean;
}

/** Recipients and rules: flags win, then the matching .sops.yaml creation rule. */
export function encryptionSettings(
  file: string,
  flags: EncryptFlags,
): { recipients: string[]; rules: EncryptionRules } {
  const fromFlags: EncryptionRules = {
    ...(flags.encryptedRegex ? { encryptedRegex: flags.encryptedRegex } : {}),
    ...(flags.unencryptedRegex ? { unencryptedRegex: flags.unencryptedRegex } : {}),
    ...(flags.encryptedSuffix ? { encryptedSuffix: flags.encryptedSuffix } : {}),
    ...(flags.unencryptedSuffix ? { unencryptedSuffix: flags.unencryptedSuffix } : {}),
    ...(flags.macOnlyEncrypted ? { macOnlyEncrypted: true } : {}),
  };
  const rule = creationRuleFor(file);
  const recipients = flags.age
    ? flags.age
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : (rule?.recipients ?? []);
  const rules = Object.keys(fromFlags).length ? fromFlags : (rule?.rules ?? {});
  return { recipients, rules };
}

function readInput(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new SecretError('SOPS_INVALID', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, {
      file,
    });
  }
}

function output(
  text: string | Uint8Array,
  file: string,
  flags: { inPlace?: boolean; outputFile?: string },
  mode?: number,
): void {
  const target = flags.inPlace ? file : flags.outputFile;
  if (target) writeFileSync(target, text, mode === undefined ? undefined : { mode });
  else process.stdout.write(text);
}

/**
 * A private scratch directory for plaintext being edited: tmpfs (/dev/shm) when available so
 * the plaintext never reaches a disk, else the system temp directory; mode 0700 either way.
 */
export function privateTempDir(): string {
  const shm = '/dev/shm';
  let base = tmpdir();
  try {
    if (statSync(shm).isDirectory()) base = shm;
  } catch {
    // No tmpfs: fall back to the temp directory.
  }
  const dir = mkdtempSync(join(base, 'sluice-edit-'));
  chmodSync(dir, 0o700);
  return dir;
}

/** Overwrites a file's bytes before unlinking it, so the plaintext does not linger in freed blocks. */
export function shred(path: string): void {
  try {
    const size = statSync(path).size;
    const fd = openSync(path, 'r+');
    try {
      writeSync(fd, randomBytes(Math.max(size, 1)), 0, Math.max(size, 1), 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Already gone or unreadable: removal below is what matters.
  }
  rmSync(path, { force: true });
}

async function edit(file: string, flags: EncryptFlags): Promise<void> {
  const exists = existsSync(file);
  const original = exists ? readInput(file) : Buffer.alloc(0);
  let settings = exists ? inspectSopsFile(original, file) : undefined;
  if (exists && !settings) {
    throw new SecretError('SOPS_INVALID', `${file} is not encrypted`, {
      file,
      hint: `Encrypt it first: sluice secrets encrypt -i ${file}`,
    });
  }
  settings ??= encryptionSettings(file, flags);
  const plain = exists
    ? Buffer.from((await decryptSopsFile(original, file, loadAgeIdentities())).plaintext)
    : Buffer.alloc(0);
  const dir = privateTempDir();
  const tmp = join(dir, basename(file));
  try {
    writeFileSync(tmp, plain, { mode: 0o600 });
    const editor = process.env['VISUAL'] || process.env['EDITOR'] || 'vi';
    const r = spawnSync(`${editor} "$SLUICE_EDIT_FILE"`, {
      shell: true,
      stdio: 'inherit',
      env: { ...process.env, SLUICE_EDIT_FILE: tmp },
    });
    if (r.status !== 0)
      throw new SecretError(
        'SOPS_INVALID',
        `the editor (${editor}) exited with status ${r.status ?? r.signal}; ${file} is unchanged`,
        { file },
      );
    const edited = readFileSync(tmp);
    if (exists && edited.equals(plain)) {
      process.stderr.write(`${file}: no changes\n`);
      return;
    }
    writeFileSync(file, await encryptSopsFile(edited, file, settings));
  } finally {
    shred(tmp);
    rmSync(dir, { recursive: true, force: true });
  }
}

function withEncryptFlags(c: Command): Command {
  return c
    .option('--age <recipients>', 'comma-separated age recipients (default: the .sops.yaml creation rule)')
    .option('--encrypted-regex <re>', 'encrypt only keys matching this regex')
    .option('--unencrypted-regex <re>', 'leave keys matching this regex readable')
    .option('--encrypted-suffix <s>', 'encrypt only keys ending with this suffix')
    .option('--unencrypted-suffix <s>', 'leave keys ending with this suffix readable (default _unencrypted)')
    .option('--mac-only-encrypted', 'compute the MAC over encrypted values only');
}

export function secretsCommand(): Command {
  const cmd = new Command('secrets').description(
    'Encrypt, decrypt and edit SOPS files (age keys), compatible with the sops tool',
  );

  cmd.addCommand(
    withEncryptFlags(new Command('encrypt'))
      .description('Encrypt a YAML, JSON, dotenv or other file with SOPS')
      .argument('<file>')
      .option('-i, --in-place', 'replace the file with its encrypted form')
      .option('--output-file <file>', 'write the encrypted file here instead of standard output')
      .action(async (file: string, flags: EncryptFlags) => {
        output(await encryptSopsFile(readInput(file), file, encryptionSettings(file, flags)), file, flags);
      }),
  );

  cmd.addCommand(
    new Command('decrypt')
      .description('Decrypt a SOPS file (key from SOPS_AGE_KEY, SOPS_AGE_KEY_FILE or ~/.config/sops/age/keys.txt)')
      .argument('<file>')
      .option('-i, --in-place', 'replace the file with its plaintext (it is no longer protected)')
      .option('--output-file <file>', 'write the plaintext here (mode 0600) instead of standard output')
      .action(async (file: string, flags: { inPlace?: boolean; outputFile?: string }) => {
        const d = await decryptSopsFile(readInput(file), file, loadAgeIdentities());
        output(d.plaintext, file, flags, 0o600);
      }),
  );

  cmd.addCommand(
    withEncryptFlags(new Command('edit'))
      .description('Open the plaintext in $EDITOR (in a private temporary directory) and re-encrypt it')
      .argument('<file>')
      .action((file: string, flags: EncryptFlags) => edit(file, flags)),
  );

  return cmd;
}
