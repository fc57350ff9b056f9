import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ValidationError } from '../errors/index.js';

/**
 * Writes scaffolded files into `dir` (which must be empty or absent) and makes them the first
 * commit of a new Git repository on branch main.
 */
export function writeConfigRepo(dir: string, files: Record<string, string>, message = 'Start the config repo'): void {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new ValidationError('DIR_NOT_EMPTY', `${dir} is not empty`, {
      hint: 'Choose a new directory; init never overwrites files.',
    });
  }
  for (const [path, content] of Object.entries(files)) {
    const abs = join(dir, path);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, content);
  }
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
    });
  git('init', '--quiet', '--initial-branch=main');
  git('add', '--all');
  git('-c', 'user.name=Sluice', '-c', 'user.email=sluice@localhost', 'commit', '--quiet', '-m', message);
}
