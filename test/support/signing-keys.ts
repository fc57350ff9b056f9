// Real signing keys for tests, made with ssh-keygen and gpg in temporary directories.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SshKey {
  /** Private key file. */
  path: string;
  /** Public key line. */
  publicKey: string;
}

export interface GpgKey {
  /** GNUPGHOME holding the secret key. */
  home: string;
  fingerprint: string;
  /** Armored public key. */
  publicKey: string;
}

export function sshKey(dir: string, name: string): SshKey {
  const path = join(dir, `ssh-${name}`);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', path]);
  return { path, publicKey: readFileSync(`${path}.pub`, 'utf8').trim() };
}

export function gpgKey(dir: string, name: string): GpgKey {
  const home = join(dir, `gnupg-${name}`);
  mkdirSync(home, { mode: 0o700, recursive: true });
  const env = { ...process.env, GNUPGHOME: home };
  execFileSync(
    'gpg',
    ['--batch', '--passphrase', '', '--quick-gen-key', `${name} <${name}@example.com>`, 'ed25519', 'sign', 'never'],
    { env, stdio: 'ignore' },
  );
  const colons = execFileSync('gpg', ['--with-colons', '--list-secret-keys'], { env, encoding: 'utf8' });
  const fingerprint = /^fpr:+([0-9A-F]+):/m.exec(colons)![1]!;
  const publicKey = execFileSync('gpg', ['--armor', '--export', fingerprint], { env, encoding: 'utf8' });
  return { home, fingerprint, publicKey };
}

/** Stops the gpg-agent a key's home started. */
export function stopGpg(key: GpgKey): void {
  try {
    execFileSync('gpgconf', ['--homedir', key.home, '--kill', 'all'], { stdio: 'ignore' });
  } catch {
    // nothing was running
  }
}

/** `git commit` options that sign with the key. */
export function signWith(key: SshKey | GpgKey): string[] {
  return 'path' in key
    ? ['-c', 'gpg.format=ssh', '-c', `user.signingkey=${key.path}`, '-c', 'commit.gpgsign=true']
    : ['-c', 'gpg.format=openpgp', '-c', `user.signingkey=${key.fingerprint}`, '-c', 'commit.gpgsign=true'];
}

export function gitEnvFor(key: SshKey | GpgKey | undefined): NodeJS.ProcessEnv {
  return key && 'home' in key ? { ...process.env, GNUPGHOME: key.home } : process.env;
}
