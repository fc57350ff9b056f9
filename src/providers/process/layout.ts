import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { Scope } from '../types.js';

/**
 * Where the process provider keeps things, all below `<dataDir>/process/`:
 *
 *   state/<project>/<env>/<app>/applied.json                 what was last applied to the scope
 *   state/<project>/<env>/<app>/<process>.<index>.<pid>.json one file per running replica
 *   logs/<project>/<env>/<app>/<process>-<index>.log[.N]     replica stdout+stderr, rotated
 *   work/<project>/<env>/<app>/                              default working directory
 *   artifacts/sha256/<hex>/<file>                            content-addressed artifact cache
 *   seal.key                                                 key for env values at rest
 */
export class Layout {
  readonly root: string;
  /** Marks every child so a restarted provider can find processes it lost track of. */
  readonly owner: string;

  constructor(dataDir: string) {
    this.root = join(resolve(dataDir), 'process');
    this.owner = createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 16);
  }

  get stateRoot(): string {
    return join(this.root, 'state');
  }

  get logsRoot(): string {
    return join(this.root, 'logs');
  }

  get sealKey(): string {
    return join(this.root, 'seal.key');
  }

  stateDir(scope: Scope): string {
    return join(this.stateRoot, scope.project, scope.env, scope.app);
  }

  appliedFile(scope: Scope): string {
    return join(this.stateDir(scope), 'applied.json');
  }

  replicaFile(scope: Scope, process: string, index: number, pid: number): string {
    return join(this.stateDir(scope), `${process}.${index}.${pid}.json`);
  }

  logDir(scope: Scope): string {
    return join(this.logsRoot, scope.project, scope.env, scope.app);
  }

  logFile(scope: Scope, process: string, index: number): string {
    return join(this.logDir(scope), `${process}-${index}.log`);
  }

  workDir(scope: Scope): string {
    return join(this.root, 'work', scope.project, scope.env, scope.app);
  }

  artifactDir(sha256: string): string {
    return join(this.root, 'artifacts', 'sha256', sha256);
  }
}

export function replicaName(process: string, index: number): string {
  return `${process}-${index}`;
}
