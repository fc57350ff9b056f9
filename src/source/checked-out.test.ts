import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Source } from './source.js';

const ID = ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false'];
const git = (dir: string, ...args: string[]) => execFileSync('git', ['-C', dir, ...ID, ...args], { encoding: 'utf8' });
const author = { name: 'Sluice', email: 'sluice@example.com' };

let dir: string;
let repo: string;
let source: Source;
let warnings: string[];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-checked-out-'));
  repo = join(dir, 'config');
  execFileSync('git', ['init', '-q', '-b', 'main', repo]);
  writeFileSync(join(repo, 'a.yaml'), 'a: 1\n');
  writeFileSync(join(repo, 'b.yaml'), 'b: 1\n');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-qm', 'start');
  warnings = [];
  const log = { debug() {}, info() {}, warn: (_d: object, msg: string) => void warnings.push(msg) };
  source = await Source.open({ path: repo }, { dataDir: join(dir, 'data'), log });
});

afterEach(() => {
  source.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What `git commit -a` in the person's copy would commit now, against the branch tip. */
const pending = () => git(repo, 'status', '--porcelain', '--untracked-files=no');

describe('a commit on the branch a person has checked out', () => {
  it('brings a clean copy along, so a commit from it does not undo the change', async () => {
    const r = await source.commitFiles([{ path: 'a.yaml', content: 'a: 2\n' }], { message: 'set a', author });
    expect(git(repo, 'rev-parse', 'HEAD').trim()).toBe(r.revision);
    expect(readFileSync(join(repo, 'a.yaml'), 'utf8')).toBe('a: 2\n');
    expect(pending()).toBe('');
    expect(warnings).toEqual([]);
  });

  it("keeps the person's edits to other files and takes Sluice's change", async () => {
    writeFileSync(join(repo, 'b.yaml'), 'b: mine\n');
    await source.commitFiles([{ path: 'a.yaml', content: 'a: 2\n' }], { message: 'set a', author });
    expect(readFileSync(join(repo, 'a.yaml'), 'utf8')).toBe('a: 2\n');
    expect(readFileSync(join(repo, 'b.yaml'), 'utf8')).toBe('b: mine\n');
    expect(pending()).toBe(' M b.yaml\n');
    expect(warnings).toEqual([]);
  });

  it('touches nothing when the person edited the same file, and warns naming it with the way out', async () => {
    const lines = (a: string, x: string) => `a: ${a}\n1\n2\n3\n4\n5\n6\n7\nx: ${x}\n`;
    writeFileSync(join(repo, 'a.yaml'), lines('1', '1'));
    git(repo, 'commit', '-qam', 'longer a');
    writeFileSync(join(repo, 'a.yaml'), lines('1', 'mine'));
    await source.commitFiles([{ path: 'a.yaml', content: lines('2', '1') }], { message: 'set a', author });
    expect(readFileSync(join(repo, 'a.yaml'), 'utf8')).toBe(lines('1', 'mine'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('a.yaml');
    // The way out the warning gives keeps both: the person's edit on top of Sluice's commit.
    const from = /diff (\w+) > mine\.patch/.exec(warnings[0]!)![1]!;
    const patch = git(repo, 'diff', from);
    git(repo, 'reset', '-q', '--hard');
    execFileSync('git', ['-C', repo, 'apply', '--3way'], { input: patch });
    expect(readFileSync(join(repo, 'a.yaml'), 'utf8')).toBe(lines('2', 'mine'));
  });

  it('leaves a copy on another branch alone', async () => {
    git(repo, 'checkout', '-q', '-b', 'work');
    await source.commitFiles([{ path: 'a.yaml', content: 'a: 2\n' }], { message: 'set a', author, branch: 'main' });
    expect(readFileSync(join(repo, 'a.yaml'), 'utf8')).toBe('a: 1\n');
    expect(pending()).toBe('');
    expect(warnings).toEqual([]);
  });
});
