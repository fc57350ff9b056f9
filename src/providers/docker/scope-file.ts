import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Scope } from '../types.js';

/**
 * Where a scope runs, kept under the data directory: `sluice logs` reads container logs with
 * only the data directory in hand, so it needs to know the Engine and the Compose project.
 * Holds no credentials: TLS files are named by the target, not copied.
 */
export interface ScopeRecord {
  host: string;
  project: string;
}

function file(dataDir: string, scope: Scope): string {
  return join(
    dataDir,
    'docker',
    'scopes',
    `${encodeURIComponent(scope.project)}__${encodeURIComponent(scope.env)}__${encodeURIComponent(scope.app)}.json`,
  );
}

export function recordScope(dataDir: string, scope: Scope, record: ScopeRecord): void {
  const path = file(dataDir, scope);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, JSON.stringify(record));
}

export function readScopeRecord(dataDir: string, scope: Scope): ScopeRecord | undefined {
  try {
    return JSON.parse(readFileSync(file(dataDir, scope), 'utf8')) as ScopeRecord;
  } catch {
    return undefined;
  }
}
