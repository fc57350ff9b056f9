import type { ReadonlyFs } from '../../vfs/index.js';
import { dirnameOf, joinPath } from '../../vfs/index.js';

/** Names compose looks for, in its order of preference. */
export const COMPOSE_FILE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];

export function composeFileIn(fs: ReadonlyFs, dir: string): string | undefined {
  return COMPOSE_FILE_NAMES.map((n) => joinPath(dir, n)).find((p) => fs.stat(p) === 'file');
}

/** Where an app's compose project lives: its base directory, and the overlay merged onto it. */
export interface ComposeLayout {
  /** The project directory: relative paths in every file resolve against it, as in compose. */
  baseDir: string;
  baseFile: string | undefined;
  overlayDir?: string;
  overlayFile?: string;
}

/**
 * `dir` is what the registry picked: `<app>/overlays/<env>`, `<app>/base` or the app itself.
 * An overlay is merged onto `<app>/base` when that holds a compose file; otherwise the
 * directory stands alone.
 */
export function composeLayout(fs: ReadonlyFs, dir: string): ComposeLayout {
  const parent = dirnameOf(dir);
  if (parent.split('/').pop() === 'overlays') {
    const baseDir = joinPath(dirnameOf(parent), 'base');
    const baseFile = composeFileIn(fs, baseDir);
    if (baseFile) {
      const overlayFile = composeFileIn(fs, dir);
      return { baseDir, baseFile, overlayDir: dir, ...(overlayFile ? { overlayFile } : {}) };
    }
  }
  return { baseDir: dir, baseFile: composeFileIn(fs, dir) };
}
