import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fastForwardWorkingCopy } from './working-copy.js';

const ID = ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false'];
const git = (dir: string, ...args: string[]) => execFileSync('git', ['-C', dir, ...ID, ...args], { encoding: 'utf8' });

let dir: string;
let bare: string;
let clone: string;
let other: string;

/** Another writer (Sluice) commits to the bare repo. */
function commitElsewhere(file: string, text: string): string {
  writeFileSync(join(other, file), text);
  git(other, 'commit', '-qam', `write ${file}`);
  git(other, 'push', '-q', 'origin', 'main');
  return git(bare, 'rev-parse', 'main').trim();
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-wc-'));
  bare = join(dir, 'config.git');
  const seed = join(dir, 'seed');
  execFileSync('git', ['init', '-q', '-b', 'main', seed]);
  writeFileSync(join(seed, 'a.yaml'), 'a: 1\n');
  writeFileSync(join(seed, 'b.yaml'), 'b: 1\n');
  git(seed, 'add', '-A');
  git(seed, 'commit', '-qm', 'start');
  execFileSync('git', ['clone', '-q', '--bare', seed, bare]);
  clone = join(dir, 'clone');
  other = join(dir, 'other');
  execFileSync('git', ['clone', '-q', bare, clone]);
  execFileSync('git', ['clone', '-q', bare, other]);
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('fastForwardWorkingCopy', () => {
  it('fast-forwards a clean clone to what was committed elsewhere', async () => {
    const tip = commitElsewhere('a.yaml', 'a: 2\n');
    expect(await fastForwardWorkingCopy(clone, 'main')).toMatchObject({ state: 'updated' });
    expect(git(clone, 'rev-parse', 'HEAD').trim()).toBe(tip);
    expect(git(clone, 'show', 'HEAD:a.yaml')).toBe('a: 2\n');
    expect(await fastForwardWorkingCopy(clone, 'main')).toMatchObject({ state: 'current' });
  });

  it('leaves a clone with uncommitted changes alone and says how to catch up', async () => {
    const before = git(clone, 'rev-parse', 'HEAD').trim();
    writeFileSync(join(clone, 'b.yaml'), 'b: 2\n');
    commitElsewhere('a.yaml', 'a: 2\n');
    const r = await fastForwardWorkingCopy(clone, 'main');
    expect(r.state).toBe('dirty');
    expect(r.message).toContain('pull --autostash');
    expect(git(clone, 'rev-parse', 'HEAD').trim()).toBe(before);
  });

  it('leaves a clone with commits of its own alone', async () => {
    writeFileSync(join(clone, 'b.yaml'), 'b: 2\n');
    git(clone, 'commit', '-qam', 'mine');
    commitElsewhere('a.yaml', 'a: 2\n');
    expect(await fastForwardWorkingCopy(clone, 'main')).toMatchObject({ state: 'diverged' });
  });

  it('leaves a clone on another branch alone', async () => {
    git(clone, 'checkout', '-qb', 'try');
    commitElsewhere('a.yaml', 'a: 2\n');
    expect(await fastForwardWorkingCopy(clone, 'main')).toMatchObject({ state: 'elsewhere' });
  });
});
