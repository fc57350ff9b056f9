import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGit, type GitContext } from './git.js';

/** A public key a protected environment trusts, as listed in sluice.yaml. */
export interface TrustedKey {
  name: string;
  /** An SSH public key line: `ssh-ed25519 AAAA… comment`. */
  ssh?: string;
  /** An armored OpenPGP public key block. */
  openpgp?: string;
}

export type CommitVerdict =
  { trusted: true; signer: string; format: 'ssh' | 'openpgp' } | { trusted: false; reason: string };

/** The signature header of a raw commit object, or undefined when the commit is unsigned. */
function signatureOf(raw: string): string | undefined {
  const head = raw.slice(0, raw.indexOf('\n\n') < 0 ? raw.length : raw.indexOf('\n\n'));
  const m = /^gpgsig (.*(?:\n .*)*)/m.exec(head);
  return m ? m[1]!.replace(/\n /g, '\n') : undefined;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { env, timeout: 30_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${cmd} failed: ${stderr || err.message}`)) : resolve(`${stdout}${stderr}`),
    );
    child.stdin?.end(input ?? '');
  });
}

/** An allowed-signers principal for a key name: git and ssh-keygen read it up to whitespace. */
const principal = (name: string) => name.replace(/[^A-Za-z0-9._@+-]/g, '_') || 'key';

/**
 * Verifies a commit's signature the way git does, against exactly the listed keys: SSH
 * signatures with an allowed-signers file (`gpg.ssh.allowedSignersFile`), OpenPGP ones with a
 * keyring built from the listed public keys in a throwaway GNUPGHOME. Nothing of the user's own
 * git, ssh or gpg configuration takes part.
 */
export async function verifyCommitSignature(
  ctx: GitContext,
  revision: string,
  keys: readonly TrustedKey[],
): Promise<CommitVerdict> {
  const raw = (await runGit(ctx, ['cat-file', 'commit', revision])).stdout.toString('utf8');
  const signature = signatureOf(raw);
  if (!signature) return { trusted: false, reason: 'the commit is not signed' };
  const format = signature.includes('BEGIN SSH SIGNATURE')
    ? 'ssh'
    : signature.includes('BEGIN PGP SIGNATURE')
      ? 'openpgp'
      : undefined;
  if (!format) return { trusted: false, reason: 'the commit carries a signature of a kind Sluice does not verify' };
  const listed = keys.filter((k) => (format === 'ssh' ? k.ssh : k.openpgp));
  if (listed.length === 0)
    return { trusted: false, reason: `the commit has an ${format} signature and no ${format} key is trusted` };

  const home = await mkdtemp(join(tmpdir(), 'sluice-verify-'));
  try {
    if (format === 'ssh') {
      const file = join(home, 'allowed_signers');
      await writeFile(file, listed.map((k) => `${principal(k.name)} namespaces="git" ${k.ssh!.trim()}\n`).join(''));
      const r = await runGit(
        ctx,
        [
          '-c',
          `gpg.ssh.allowedSignersFile=${file}`,
          '-c',
          'gpg.ssh.program=ssh-keygen',
          'verify-commit',
          '--raw',
          revision,
        ],
        { allowFail: true },
      );
      const good = /Good "git" signature for (\S+)/.exec(r.stderr);
      if (r.code === 0 && good) {
        const key = listed.find((k) => principal(k.name) === good[1]);
        return { trusted: true, signer: key?.name ?? good[1]!, format };
      }
      return {
        trusted: false,
        reason: /No principal matched/.test(r.stderr)
          ? 'the commit is signed by an SSH key that is not trusted'
          : `the SSH signature does not verify: ${r.stderr.trim().split('\n').pop() ?? ''}`,
      };
    }
    const gnupgHome = join(home, 'gnupg');
    await mkdir(gnupgHome, { mode: 0o700 });
    const env = { ...process.env, GNUPGHOME: gnupgHome };
    const fingerprints = new Map<string, string>();
    for (const k of listed) {
      const out = await run('gpg', ['--batch', '--status-fd', '1', '--import'], env, k.openpgp);
      for (const m of out.matchAll(/IMPORT_OK \d+ ([0-9A-F]{40,64})/g)) fingerprints.set(m[1]!, k.name);
    }
    const r = await runGit(ctx, ['-c', 'gpg.program=gpg', 'verify-commit', '--raw', revision], {
      allowFail: true,
      env: { GNUPGHOME: gnupgHome },
    });
    const valid = /VALIDSIG (\S+)(?: \S+){8} (\S+)/.exec(r.stderr);
    if (r.code === 0 && valid) {
      const signer = fingerprints.get(valid[2]!) ?? fingerprints.get(valid[1]!);
      if (signer) return { trusted: true, signer, format };
    }
    return {
      trusted: false,
      reason: /NO_PUBKEY/.test(r.stderr)
        ? 'the commit is signed by an OpenPGP key that is not trusted'
        : /BADSIG/.test(r.stderr)
          ? 'the OpenPGP signature does not match the commit'
          : /EXPKEYSIG|REVKEYSIG/.test(r.stderr)
            ? 'the commit is signed by an expired or revoked OpenPGP key'
            : 'the OpenPGP signature does not verify',
    };
  } finally {
    if (format === 'openpgp')
      await run('gpgconf', ['--homedir', join(home, 'gnupg'), '--kill', 'all'], process.env).catch(() => undefined);
    await rm(home, { recursive: true, force: true });
  }
}

/** Identifies a set of trusted keys, to remember verdicts per revision and key set. */
export function keySetId(keys: readonly TrustedKey[]): string {
  return createHash('sha256')
    .update(JSON.stringify(keys.map((k) => [k.name, k.ssh ?? '', k.openpgp ?? ''])))
    .digest('hex');
}

const publicKeys = new Map<string, Promise<TrustedKey>>();

/** The public half of the key Sluice signs with, to recognise its own commits. */
export function signingPublicKey(sign: {
  format: 'ssh' | 'openpgp';
  key: string;
  gnupgHome?: string;
}): Promise<TrustedKey> {
  const id = JSON.stringify(sign);
  let known = publicKeys.get(id);
  if (!known) {
    known =
      sign.format === 'ssh'
        ? run('ssh-keygen', ['-y', '-f', sign.key], process.env).then((out) => ({ name: 'sluice', ssh: out.trim() }))
        : run(
            'gpg',
            ['--batch', '--armor', '--export', sign.key],
            sign.gnupgHome ? { ...process.env, GNUPGHOME: sign.gnupgHome } : process.env,
          ).then((out) => ({ name: 'sluice', openpgp: out }));
    known.catch(() => publicKeys.delete(id));
    publicKeys.set(id, known);
  }
  return known;
}
