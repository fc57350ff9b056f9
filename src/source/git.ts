import { spawn } from 'node:child_process';
import { SourceError } from '../errors/index.js';
import type { Scrubber } from './credentials.js';

/** How to run git against one repository: always by `--git-dir`, never a work tree. */
export interface GitContext {
  binary: string;
  gitDir: string;
  /** Extra environment (credentials) for commands that talk to a remote. */
  env: Record<string, string>;
  /** Environment variable holding the token, removed from git's environment. */
  tokenEnv: string;
  scrub: Scrubber;
}

export interface RunOptions {
  input?: string | Buffer;
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Resolve with the exit code instead of throwing on a non-zero exit. */
  allowFail?: boolean;
  /** Run without `--git-dir` (for `init`, `rev-parse` discovery). */
  bare?: boolean;
  cwd?: string;
}

export interface RunResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** A git command exited non-zero. Keeps git's (scrubbed) stderr so callers can classify it. */
export class GitCommandError extends SourceError {
  constructor(
    readonly command: string,
    readonly exitCode: number,
    readonly stderr: string,
  ) {
    super('SOURCE_GIT_FAILED', `git ${command} failed (exit ${exitCode}): ${firstLines(stderr)}`, {
      hint: 'See the git message above; run the same git command by hand to investigate.',
    });
  }
}

const DEFAULT_TIMEOUT_MS = 120_000;

// Variables that would point git at some other repository, index or config than ours.
const INHERITED_GIT_VARS = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_COMMON_DIR',
  'GIT_NAMESPACE',
  'GIT_CEILING_DIRECTORIES',
  'GIT_CONFIG_PARAMETERS',
];

export function gitEnv(ctx: Pick<GitContext, 'tokenEnv'>, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of INHERITED_GIT_VARS) delete env[key];
  for (const key of Object.keys(env)) if (/^GIT_CONFIG_(COUNT|KEY_\d+|VALUE_\d+)$/.test(key)) delete env[key];
  delete env[ctx.tokenEnv];
  return {
    ...env,
    GIT_TERMINAL_PROMPT: '0',
    GIT_OPTIONAL_LOCKS: '0',
    LC_ALL: 'C',
    ...extra,
  };
}

export function gitArgs(ctx: GitContext, args: readonly string[], bare = false): string[] {
  return bare ? [...args] : [`--git-dir=${ctx.gitDir}`, ...args];
}

/** Runs git with an argument vector (never a shell) and collects its output. */
export function runGit(ctx: GitContext, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const argv = gitArgs(ctx, args, options.bare);
  const env = gitEnv(ctx, { ...ctx.env, ...options.env });
  return new Promise((resolve, reject) => {
    const child = spawn(ctx.binary, argv, { env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(e.code === 'ENOENT' ? gitMissing(ctx.binary) : e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const stderr = ctx.scrub(Buffer.concat(err).toString('utf8'));
      const exit = timedOut ? 124 : (code ?? 1);
      const result = { code: exit, stdout: Buffer.concat(out), stderr: timedOut ? `timed out\n${stderr}` : stderr };
      if (exit !== 0 && !options.allowFail) reject(new GitCommandError(args[0] ?? '', exit, result.stderr));
      else resolve(result);
    });
    child.stdin.on('error', () => undefined); // git may exit before reading all input
    child.stdin.end(options.input ?? '');
  });
}

/** Runs git and returns trimmed stdout as text. */
export async function gitText(ctx: GitContext, args: readonly string[], options: RunOptions = {}): Promise<string> {
  return (await runGit(ctx, args, options)).stdout.toString('utf8').trim();
}

export function gitMissing(binary: string): SourceError {
  return new SourceError('SOURCE_GIT_MISSING', `cannot run ${binary}: not found`, {
    hint: 'Install git 2.31 or newer and make sure it is on PATH.',
  });
}

export function firstLines(text: string, n = 3): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.slice(0, n).join('; ') || '(no message)';
}

/**
 * Revisions reach git as plain arguments: one starting with `-` could pose as an option, and
 * ranges or `rev:path` forms would change what rev-parse answers.
 */
export function checkRefName(ref: string): void {
  if (ref === '' || ref.startsWith('-') || /[\s\0:?*[\\]|\.\./.test(ref)) {
    throw new SourceError('SOURCE_UNKNOWN_REF', `invalid revision or ref name: ${JSON.stringify(ref)}`, {
      hint: 'Use a branch name, a tag, HEAD or a commit SHA.',
    });
  }
}
