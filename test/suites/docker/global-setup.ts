import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { TestProject } from 'vitest/node';

/**
 * Checks a dockerd answers and builds the test image once. Under CI=true a missing dockerd
 * fails the suite; elsewhere its tests are skipped with a note.
 */
export function setup(project: TestProject): void {
  const socket = '/var/run/docker.sock';
  let reason = '';
  try {
    if (!existsSync(socket)) throw new Error(`${socket} does not exist`);
    execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], { stdio: 'pipe' });
  } catch (e) {
    reason = `no dockerd answers on ${socket}: ${(e as Error).message.split('\n')[0]}`;
  }
  if (reason && process.env['CI'] === 'true') throw new Error(`${reason} (the Docker suite needs one under CI=true)`);
  if (reason) console.warn(`skipping the Docker suite: ${reason}`);
  else execFileSync('bash', [new URL('./build-image.sh', import.meta.url).pathname], { stdio: 'inherit' });
  project.provide('dockerSkip', reason);
}

declare module 'vitest' {
  export interface ProvidedContext {
    dockerSkip: string;
  }
}
