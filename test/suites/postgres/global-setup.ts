import type { TestProject } from 'vitest/node';
import { startCluster } from './cluster.js';

/**
 * Starts a private PostgreSQL cluster for the run (cluster.ts). Under CI=true a missing or
 * failing PostgreSQL fails the suite; elsewhere the tests are skipped with a note.
 */
export function setup(project: TestProject): () => void {
  let reason: string;
  try {
    const cluster = startCluster();
    project.provide('pgSocketDir', cluster.socketDir);
    project.provide('pgSkip', '');
    return () => cluster.stop();
  } catch (e) {
    reason = `PostgreSQL could not be started: ${(e as Error).message}`;
  }
  if (process.env['CI'] === 'true') throw new Error(`${reason} (the PostgreSQL suite needs one under CI=true)`);
  console.warn(`skipping the PostgreSQL suite: ${reason}`);
  project.provide('pgSocketDir', '');
  project.provide('pgSkip', reason);
  return () => undefined;
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgSocketDir: string;
    pgSkip: string;
  }
}
