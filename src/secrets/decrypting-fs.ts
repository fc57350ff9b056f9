import { joinPath } from '../vfs/index.js';
import type { FsEntry, FsEntryType, ReadonlyFs } from '../vfs/index.js';

import type { SecretRegistry } from './mask.js';
import { loadAgeIdentities, type AgeIdentities } from './sops/age-keys.js';
import { decryptSopsFile, isSopsFile, mightBeSops } from './sops/file.js';

export interface DecryptingFsOptions {
  /** Directories to scan (tree-relative); the whole tree by default. */
  roots?: string[];
  /** Identities to use; loaded from SOPS_AGE_KEY / SOPS_AGE_KEY_FILE / keys.txt on first need. */
  identities?: AgeIdentities | (() => AgeIdentities);
  /** Learns every decrypted value so logs and errors can be masked. */
  registry?: SecretRegistry;
  /** Files larger than this are never SOPS candidates (bytes). */
  maxFileSize?: number;
  /**
   * False to only find SOPS files without decrypting them (no key needed): reads return the
   * encrypted bytes, `encryptedPaths` is still filled. For pull-request checks without keys.
   */
  decrypt?: boolean;
}

const SKIP_DIRS = new Set(['.git', 'node_modules']);

/**
 * A ReadonlyFs that returns SOPS-encrypted files as plaintext, held only in memory.
 *
 * ReadonlyFs is synchronous (renderers are plain functions) while age decryption in the
 * age-encryption package is asynchronous. Rather than re-implementing age on node:crypto to
 * decrypt lazily, `openDecryptingFs` scans the tree up front, decrypts every SOPS file, and
 * serves the results from memory. That also makes the failure mode right: a wrong key or a
 * tampered file fails before rendering starts, so nothing is applied. Build one per revision
 * tree and share it across the apps rendered from it.
 */
export class DecryptingFs implements ReadonlyFs {
  private constructor(
    private readonly inner: ReadonlyFs,
    private readonly plain: Map<string, Uint8Array>,
  ) {}

  /** @internal use openDecryptingFs */
  static create(inner: ReadonlyFs, plain: Map<string, Uint8Array>): DecryptingFs {
    return new DecryptingFs(inner, plain);
  }

  /** Tree-relative real paths of every file that was SOPS-encrypted. */
  get encryptedPaths(): ReadonlySet<string> {
    return new Set(this.plain.keys());
  }

  isEncrypted(path: string): boolean {
    try {
      return this.plain.has(this.inner.realPath(path));
    } catch {
      return false;
    }
  }

  readFile(path: string): Uint8Array {
    const real = this.inner.realPath(path);
    return this.plain.get(real) ?? this.inner.readFile(path);
  }

  lstat(path: string): FsEntryType | undefined {
    return this.inner.lstat(path);
  }
  stat(path: string): 'file' | 'dir' | undefined {
    return this.inner.stat(path);
  }
  readDir(path: string): FsEntry[] {
    return this.inner.readDir(path);
  }
  readLink(path: string): string {
    return this.inner.readLink(path);
  }
  realPath(path: string): string {
    return this.inner.realPath(path);
  }
  size(path: string): number | undefined {
    return this.plain.get(this.inner.realPath(path))?.length ?? this.inner.size?.(path);
  }
}

/** Scans `roots` for SOPS files, decrypts them all and returns the overlay. */
export async function openDecryptingFs(fs: ReadonlyFs, options: DecryptingFsOptions = {}): Promise<DecryptingFs> {
  const maxSize = options.maxFileSize ?? 4 * 1024 * 1024;
  const candidates = new Map<string, Uint8Array>();
  const seen = new Set<string>();
  const walk = (dir: string): void => {
    if (fs.stat(dir) !== 'dir') return;
    for (const e of fs.readDir(dir)) {
      const p = joinPath(dir, e.name);
      if (e.type === 'dir' && !SKIP_DIRS.has(e.name)) walk(p);
      if (e.type !== 'file' || seen.has(p)) continue;
      seen.add(p);
      // Too large to be a SOPS file: not read at all, so a huge file costs nothing here.
      if ((fs.size?.(p) ?? 0) > maxSize) continue;
      const bytes = fs.readFile(p);
      if (bytes.length > maxSize) continue;
      const text = Buffer.from(bytes).toString('utf8');
      if (mightBeSops(text) && isSopsFile(text, p)) candidates.set(p, bytes);
    }
  };
  for (const root of options.roots ?? ['.']) walk(root);

  const plain = new Map<string, Uint8Array>();
  if (options.decrypt === false) return DecryptingFs.create(fs, candidates);
  if (candidates.size > 0) {
    const ids =
      typeof options.identities === 'function' ? options.identities() : (options.identities ?? loadAgeIdentities());
    for (const [path, bytes] of candidates) {
      const d = await decryptSopsFile(bytes, path, ids);
      options.registry?.addAll(d.values);
      plain.set(path, d.plaintext);
    }
  }
  return DecryptingFs.create(fs, plain);
}
