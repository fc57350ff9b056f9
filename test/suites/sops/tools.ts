import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The real sops and age-keygen for interop tests. Go installs them into GOPATH/bin, which is
 * often not on PATH, so look there too. Under CI=true a missing tool is an error, never a skip.
 */
function goBin(): string | undefined {
  const r = spawnSync('go', ['env', 'GOPATH'], { encoding: 'utf8' });
  return r.status === 0 ? join(r.stdout.trim(), 'bin') : undefined;
}

export function findTool(name: string): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(':'), goBin()].filter((d): d is string => !!d);
  for (const d of dirs) {
    const p = join(d, name);
    if (spawnSync(p, ['--version'], { stdio: 'ignore' }).status === 0) return p;
  }
  return undefined;
}

export const sopsBin = findTool('sops');
export const ageKeygenBin = findTool('age-keygen');
export const haveTools = !!sopsBin && !!ageKeygenBin;

if (!haveTools && process.env['CI'] === 'true') {
  throw new Error(
    'the SOPS suite needs sops and age-keygen on PATH or in $(go env GOPATH)/bin; run .ci/suites/sops.sh',
  );
}

export interface AgeKey {
  /** Path of the key file (identity). */
  file: string;
  identity: string;
  recipient: string;
}

export function ageKey(dir = mkdtempSync(join(tmpdir(), 'sluice-age-'))): AgeKey {
  const file = join(dir, 'key.txt');
  execFileSync(ageKeygenBin!, ['-o', file], { stdio: 'ignore' });
  const identity = readFileSync(file, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('AGE-SECRET-KEY-'))!;
  const recipient = execFileSync(ageKeygenBin!, ['-y', file], { encoding: 'utf8' }).trim();
  return { file, identity, recipient };
}

/** Runs sops with only the given key available (no user key file leaks in). */
export function sops(args: string[], key: AgeKey, cwd?: string): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(sopsBin!, ['--disable-version-check', ...args], {
    encoding: 'utf8',
    cwd,
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: tmpdir(),
      XDG_CONFIG_HOME: join(tmpdir(), 'none'),
      SOPS_AGE_KEY_FILE: key.file,
    },
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
