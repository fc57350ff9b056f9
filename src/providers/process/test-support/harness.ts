import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Resource } from '../../../model/resource.js';
import type { ProviderEvent, ProviderLog, Scope } from '../../types.js';
import { Layout } from '../layout.js';
import { isPortFree } from '../ports.js';
import { findMarkedProcesses, signalGroup } from '../proc.js';

export const SERVER = fileURLToPath(new URL('./server.mjs', import.meta.url));
export const scope: Scope = { project: 'shop', app: 'hello', env: 'dev' };

export const quietLog: ProviderLog = { info() {}, warn() {}, error() {}, debug() {} };

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'sluice-process-'));
}

/** SIGKILLs whatever still carries the data dir's owner mark, then removes the dir. */
export function cleanupDataDir(dataDir: string): void {
  for (const p of findMarkedProcesses(new Layout(dataDir).owner)) {
    if (p.pgid === p.pid) signalGroup(p.pid, 'SIGKILL');
    else process.kill(p.pid, 'SIGKILL');
  }
  rmSync(dataDir, { recursive: true, force: true });
}

export function processResource(name: string, spec: Record<string, unknown>): Resource {
  return { apiVersion: 'sluice.dev/v1alpha1', kind: 'Process', metadata: { name }, spec };
}

/** A node server Process with a fast HTTP health check. */
export function serverProcess(
  name: string,
  port: number,
  extra: Record<string, unknown> = {},
  env: Record<string, string> = {},
): Resource {
  return processResource(name, {
    command: process.execPath,
    args: [SERVER],
    env: { GREETING: 'hello', ...env },
    port,
    healthCheck: { http: { path: '/health' }, intervalSeconds: 0.2, timeoutSeconds: 1, failureThreshold: 3 },
    terminationGracePeriodSeconds: 2,
    ...extra,
  });
}

/** A base port with 2×n free ports above it, away from the usual ones. */
export async function freeBase(n: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    let ok = true;
    for (let p = base; p < base + 2 * n && ok; p++) ok = await isPortFree(p);
    if (ok) return base;
  }
  throw new Error('no free port block');
}

export function httpGet(port: number, path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

export async function waitFor<T>(
  what: string,
  fn: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function recordEvents(provider: { onEvent(l: (e: ProviderEvent) => void): () => void }): ProviderEvent[] {
  const events: ProviderEvent[] = [];
  provider.onEvent((e) => events.push(e));
  return events;
}

export const applyOptions = { revision: 'rev1', reason: 'test', prune: true };
