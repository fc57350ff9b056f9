import {
  closeSync,
  copyFileSync,
  existsSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
} from 'node:fs';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Scope } from '../types.js';
import { Layout } from './layout.js';

/**
 * Opens a replica's log for appending. The child gets this fd as stdout and stderr, so its
 * output never passes through Sluice: a replica keeps running (no SIGPIPE) when Sluice dies.
 */
export function openReplicaLog(path: string): number {
  mkdirSync(dirname(path), { recursive: true });
  return openSync(path, 'a', 0o600);
}

/**
 * Copy-truncate rotation: the child keeps writing to the same fd, and O_APPEND puts its next
 * write at the start of the truncated file. A few lines written between copy and truncate may
 * be lost; that is the price of never signalling the workload.
 */
export function rotateIfLarge(path: string, maxBytes: number, keep: number): boolean {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return false;
  }
  if (size <= maxBytes) return false;
  rmSync(`${path}.${keep}`, { force: true });
  for (let i = keep - 1; i >= 1; i--) {
    if (existsSync(`${path}.${i}`)) renameSync(`${path}.${i}`, `${path}.${i + 1}`);
  }
  if (keep >= 1) copyFileSync(path, `${path}.1`);
  truncateSync(path, 0);
  return true;
}

export interface LogLine {
  process: string;
  replica: number;
  text: string;
}

export interface ReadLogsOptions {
  /** Only this Process. */
  process?: string;
  /** Last N lines of each replica's current log; all of it when absent. */
  tail?: number;
  /** Keep reading new lines until the signal aborts. */
  follow?: boolean;
  signal?: AbortSignal;
  /** How often to look for new output while following. */
  pollMs?: number;
}

interface LogFile {
  process: string;
  replica: number;
  path: string;
}

/** The replica log files of a scope (current files only, not rotated ones). */
export function listLogFiles(dataDir: string, scope: Scope, processName?: string): LogFile[] {
  const dir = new Layout(dataDir).logDir(scope);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const files: LogFile[] = [];
  for (const name of names) {
    const m = /^(.+)-(\d+)\.log$/.exec(name);
    if (!m || (processName !== undefined && m[1] !== processName)) continue;
    files.push({ process: m[1]!, replica: Number(m[2]), path: join(dir, name) });
  }
  return files.sort((a, b) => a.process.localeCompare(b.process) || a.replica - b.replica);
}

/**
 * Reads (and optionally follows) the logs of a scope: what `sluice logs` prints. Lines of one
 * replica stay in order; lines of different replicas are not interleaved by time.
 */
export async function* readProcessLogs(
  dataDir: string,
  scope: Scope,
  options: ReadLogsOptions = {},
): AsyncGenerator<LogLine> {
  const offsets = new Map<string, number>();
  const partial = new Map<string, string>();
  for (const f of listLogFiles(dataDir, scope, options.process)) {
    const size = fileSize(f.path);
    const start = options.tail === undefined ? 0 : tailStart(f.path, size, options.tail);
    const text = readRange(f.path, start, size);
    const lines = text.split('\n');
    partial.set(f.path, lines.pop() ?? '');
    offsets.set(f.path, size);
    for (const line of lines) yield { process: f.process, replica: f.replica, text: line };
  }
  if (!options.follow) return;
  while (!options.signal?.aborted) {
    try {
      await sleep(options.pollMs ?? 250, undefined, { signal: options.signal });
    } catch {
      return;
    }
    for (const f of listLogFiles(dataDir, scope, options.process)) {
      const size = fileSize(f.path);
      let offset = offsets.get(f.path) ?? 0;
      if (size < offset) offset = 0; // rotated (truncated) since the last look
      if (size === offset) continue;
      const text = (partial.get(f.path) ?? '') + readRange(f.path, offset, size);
      offsets.set(f.path, size);
      const lines = text.split('\n');
      partial.set(f.path, lines.pop() ?? '');
      for (const line of lines) yield { process: f.process, replica: f.replica, text: line };
    }
  }
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function readRange(path: string, start: number, end: number): string {
  if (end <= start) return '';
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(end - start);
    let read = 0;
    while (read < buf.length) {
      const n = readSync(fd, buf, read, buf.length - read, start + read);
      if (n === 0) break;
      read += n;
    }
    return buf.subarray(0, read).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Offset where the last `lines` complete lines begin, reading backwards in chunks. */
function tailStart(path: string, size: number, lines: number): number {
  if (lines <= 0) return size;
  const fd = openSync(path, 'r');
  try {
    const chunk = Buffer.alloc(64 * 1024);
    let pos = size;
    let seen = 0;
    // A trailing newline ends the last line; it does not start a new one.
    let skipFirst = true;
    while (pos > 0) {
      const len = Math.min(chunk.length, pos);
      pos -= len;
      readSync(fd, chunk, 0, len, pos);
      for (let i = len - 1; i >= 0; i--) {
        if (chunk[i] !== 0x0a) {
          skipFirst = false;
          continue;
        }
        if (skipFirst) {
          skipFirst = false;
          continue;
        }
        if (++seen === lines) return pos + i + 1;
      }
    }
    return 0;
  } finally {
    closeSync(fd);
  }
}
