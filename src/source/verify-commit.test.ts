import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  gitEnvFor,
  gpgKey,
  signWith,
  sshKey,
  stopGpg,
  type GpgKey,
  type SshKey,
} from '../../test/support/signing-keys.js';
import { Source } from './source.js';
import { initRepo, tempDir } from './test-support.js';

/** Real signatures made by git with keys from ssh-keygen and gpg, verified against listed keys only. */
let dir: { path: string; remove(): void };
let repo: string;
let source: Source;
let ana: SshKey;
let stranger: SshKey;
let release: GpgKey;
let rogue: GpgKey;

function commitSigned(key: SshKey | GpgKey | undefined, message: string): string {
  writeFileSync(join(repo, 'file.txt'), `${message}\n`);
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', repo, '-c', 'user.name=T', '-c', 'user.email=t@example.com', ...args], {
      env: gitEnvFor(key),
      encoding: 'utf8',
    }).trim();
  git('add', '-A');
  git(...(key ? signWith(key) : ['-c', 'commit.gpgsign=false']), 'commit', '-q', '-m', message);
  return git('rev-parse', 'HEAD');
}

beforeAll(async () => {
  dir = tempDir('sluice-verify-');
  repo = initRepo(join(dir.path, 'repo'));
  ana = sshKey(dir.path, 'ana');
  stranger = sshKey(dir.path, 'stranger');
  release = gpgKey(dir.path, 'release');
  rogue = gpgKey(dir.path, 'rogue');
  source = await Source.open({ path: repo }, { dataDir: join(dir.path, 'data') });
}, 60_000);

afterAll(() => {
  source?.close();
  for (const k of [release, rogue]) if (k) stopGpg(k);
  dir?.remove();
});

const trusted = () => [
  { name: 'ana', ssh: ana.publicKey },
  { name: 'release team', openpgp: release.publicKey },
];

describe('verifying commit signatures against the trusted keys', () => {
  it('accepts SSH and OpenPGP signatures by listed keys, naming the signer', async () => {
    const bySsh = commitSigned(ana, 'signed by ana');
    expect(await source.verifyCommit(bySsh, trusted())).toEqual({ trusted: true, signer: 'ana', format: 'ssh' });
    const byGpg = commitSigned(release, 'signed by release');
    expect(await source.verifyCommit(byGpg, trusted())).toEqual({
      trusted: true,
      signer: 'release team',
      format: 'openpgp',
    });
  });

  it('refuses unsigned commits and commits signed by keys nobody listed', async () => {
    const unsigned = commitSigned(undefined, 'not signed');
    expect(await source.verifyCommit(unsigned, trusted())).toEqual({
      trusted: false,
      reason: 'the commit is not signed',
    });
    const bySsh = commitSigned(stranger, 'signed by a stranger');
    expect(await source.verifyCommit(bySsh, trusted())).toEqual({
      trusted: false,
      reason: 'the commit is signed by an SSH key that is not trusted',
    });
    const byGpg = commitSigned(rogue, 'signed by a rogue key');
    expect(await source.verifyCommit(byGpg, trusted())).toEqual({
      trusted: false,
      reason: 'the commit is signed by an OpenPGP key that is not trusted',
    });
    const noSshKeys = commitSigned(ana, 'signed by ana, only OpenPGP keys listed');
    expect(await source.verifyCommit(noSshKeys, [{ name: 'release', openpgp: release.publicKey }])).toMatchObject({
      trusted: false,
      reason: 'the commit has an ssh signature and no ssh key is trusted',
    });
  });
});
