import { createHash } from 'node:crypto';
import type { App, Project } from '../config/index.js';
import type { ReadonlyFs } from '../vfs/index.js';

/**
 * A content hash of what one scope's render depends on: its slice of sluice.yaml (everything
 * but the other apps) and every file the render read, byte for byte. Equal hashes at two
 * revisions mean the scope renders the same at both, so a new revision that touches only other
 * apps (a line added to sluice.yaml, another app's manifests) is not rendered or applied again.
 */
export function inputsHash(tree: ReadonlyFs, reads: readonly string[], project: Project, app: App): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ project: { ...project, apps: undefined }, app }, plain));
  for (const path of [...reads].sort()) {
    h.update(`\0${path}\0`);
    h.update(fileHash(tree, path));
  }
  return h.digest('hex');
}

function fileHash(tree: ReadonlyFs, path: string): string {
  try {
    return createHash('sha256').update(tree.readFile(path)).digest('hex');
  } catch {
    // A file the render read that is gone now: the render would differ.
    return 'missing';
  }
}

// Parsed config holds maps (targets by name); JSON would write them as {}.
function plain(_key: string, value: unknown): unknown {
  if (value instanceof Map) return [...(value as Map<unknown, unknown>).entries()];
  if (value instanceof Set) return [...(value as Set<unknown>)];
  return value;
}
