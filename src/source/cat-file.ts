import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { SourceError } from '../errors/index.js';
import { gitArgs, gitEnv, gitMissing, type GitContext } from './git.js';

export interface GitObject {
  sha: string;
  type: string;
  data: Buffer;
}

interface Pending {
  name: string;
  resolve: (o: GitObject | undefined) => void;
  reject: (e: Error) => void;
}

const IDLE_MS = 30_000;

/**
 * One long-running `git cat-file --batch` per repository. Requests are written as they come
 * and answered in order, so reading a whole tree is a single pipelined stream instead of a
 * process per file. The process exits after a quiet spell and restarts on the next request.
 */
export class CatFileBatch {
  private child: ChildProcessWithoutNullStreams | undefined;
  private readonly pending: Pending[] = [];
  private chunks: Buffer[] = [];
  private buffered = 0;
  private idle: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly ctx: GitContext) {}

  /** The object named `name` (a SHA or `rev:path`), or undefined if it does not exist. */
  read(name: string): Promise<GitObject | undefined> {
    if (/[\n\r]/.test(name)) return Promise.reject(new Error(`invalid object name ${JSON.stringify(name)}`));
    // A pass still running while the program stops must not start a process that outlives it.
    if (this.closed) return Promise.reject(closedError());
    return new Promise((resolve, reject) => {
      const child = this.start();
      this.pending.push({ name, resolve, reject });
      this.touch();
      child.stdin.write(`${name}\n`);
    });
  }

  /** Stops the process for good: later reads are refused. */
  close(): void {
    this.closed = true;
    this.stop();
    this.fail(closedError());
  }

  /** Stops the process; the next read starts another. */
  private stop(): void {
    if (this.idle) clearTimeout(this.idle);
    this.idle = undefined;
    const child = this.child;
    this.child = undefined;
    if (child) {
      child.stdin.end();
      child.kill();
    }
  }

  private start(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    const child = spawn(this.ctx.binary, gitArgs(this.ctx, ['cat-file', '--batch']), {
      env: gitEnv(this.ctx),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child = child;
    this.chunks = [];
    this.buffered = 0;
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      this.chunks.push(b);
      this.buffered += b.length;
      this.drain();
    });
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    child.stdin.on('error', () => undefined);
    const onEnd = (e?: NodeJS.ErrnoException) => {
      if (this.child !== child) return;
      this.child = undefined;
      if (e?.code === 'ENOENT') this.fail(gitMissing(this.ctx.binary));
      else
        this.fail(
          new SourceError('SOURCE_GIT_FAILED', `git cat-file exited: ${this.ctx.scrub(stderr.trim()) || 'no message'}`),
        );
    };
    child.on('error', onEnd);
    child.on('close', () => onEnd());
    return child;
  }

  private drain(): void {
    while (this.pending.length > 0) {
      const nl = this.newlineAt();
      if (nl < 0) return;
      const header = this.peek(nl).subarray(0, nl).toString('utf8');
      if (/ (missing|ambiguous)$/.test(header)) {
        this.consume(nl + 1);
        this.pending.shift()!.resolve(undefined);
        continue;
      }
      const [sha, type, size] = header.split(' ');
      const length = Number(size);
      if (!sha || !type || !Number.isInteger(length)) {
        // Every waiting read fails with it; the next read starts a fresh process.
        this.stop();
        this.fail(new SourceError('SOURCE_GIT_FAILED', `unexpected git cat-file output: ${header}`));
        return;
      }
      const need = nl + 1 + length + 1;
      // Large objects arrive in many chunks: wait for all of them before joining anything.
      if (this.buffered < need) return;
      const data = Buffer.from(this.peek(need).subarray(nl + 1, nl + 1 + length));
      this.consume(need);
      this.pending.shift()!.resolve({ sha, type, data });
    }
    this.touch();
  }

  private newlineAt(): number {
    let offset = 0;
    for (const c of this.chunks) {
      const i = c.indexOf(10);
      if (i >= 0) return offset + i;
      offset += c.length;
    }
    return -1;
  }

  /** At least the first `n` buffered bytes as one Buffer, joining chunks only as far as needed. */
  private peek(n: number): Buffer {
    let have = 0;
    let count = 0;
    while (count < this.chunks.length && have < n) have += this.chunks[count++]!.length;
    if (count > 1) this.chunks.splice(0, count, Buffer.concat(this.chunks.slice(0, count), have));
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  private consume(n: number): void {
    const head = this.peek(n);
    const rest = head.subarray(n);
    this.chunks.splice(0, 1, ...(rest.length > 0 ? [rest] : []));
    this.buffered -= n;
  }

  private touch(): void {
    if (this.idle) clearTimeout(this.idle);
    this.idle = setTimeout(() => {
      if (this.pending.length === 0) this.stop();
    }, IDLE_MS);
    this.idle.unref();
  }

  private fail(e: Error): void {
    for (const job of this.pending.splice(0)) job.reject(e);
  }
}

const closedError = () => new SourceError('SOURCE_CLOSED', 'the source was closed while reading objects');
