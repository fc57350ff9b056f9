import { joinPath } from '../vfs/index.js';
import type { FsEntry, FsEntryType, ReadonlyFs } from '../vfs/index.js';

import { SecretError } from './errors.js';
import type { SecretRegistry } from './mask.js';
import { loadAgeIdentities, type AgeIdentities } from './sops/age-keys.js';
import { decryptSopsFile, isSopsFile, mightBeSops } from './sops/file.js';

export interface DecryptingFsOptions {
  /** Directories `openDecryptingFs` scans (tree-relative); the whole tree by default. */
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

/** What one `decrypting` run read, so a caller can say which files an empty render came from. */
export interface DecryptingRun<T> {
  value: T;
  /** Tree-relative paths of every file the run read, in order. */
  read: string[];
}

const SKIP_DIRS = new Set(['.git', 'node_modules']);

/**
 * A ReadonlyFs that returns SOPS-encrypted files as plaintext, held only in memory.
 *
 * ReadonlyFs is synchronous (renderers are plain functions) while age decryption in the
 * age-encryption package is asynchronous. So decryption is lazy per file read in two steps:
 * `decrypting(render)` runs the render, and a read of a SOPS file not yet decrypted is
 * recorded and fails; the run then decrypts exactly the files that were asked for and renders
 * again, until nothing is missing. Renders are pure, so running one again is only time.
 * The result: rendering an app decrypts only the files that app reads, and a file that does
 * not decrypt (a wrong key, a bad MAC) fails the render that read it, not its neighbours.
 *
 * Build one per revision tree and share it across the apps rendered from it: what was
 * decrypted once is kept in memory for the next render.
 */
export class DecryptingFs implements ReadonlyFs {
  /** Plaintext of the SOPS files decrypted so far, by real path. */
  private readonly plain = new Map<string, Uint8Array>();
  /** Real paths known to be SOPS files, decrypted or not. */
  private readonly sops = new Set<string>();
  /** Real paths known not to be SOPS files, so a file is parsed for metadata once. */
  private readonly clear = new Set<string>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private identities: AgeIdentities | undefined;
  /** The run under way; set only while its synchronous render executes. */
  private recorder: { read: string[]; pending: Set<string> } | undefined;

  constructor(
    private readonly inner: ReadonlyFs,
    private readonly options: DecryptingFsOptions = {},
  ) {}

  /** Tree-relative real paths of every file found to be SOPS-encrypted so far. */
  get encryptedPaths(): ReadonlySet<string> {
    return new Set(this.sops);
  }

  isEncrypted(path: string): boolean {
    try {
      const real = this.inner.realPath(path);
      return this.sops.has(real) || (!this.clear.has(real) && this.classify(real, this.inner.readFile(path)));
    } catch {
      return false;
    }
  }

  /**
   * Runs `fn` (a render over this tree), decrypting the SOPS files it reads. A file that does
   * not decrypt rejects with its SecretError, naming the file. `fn` must be synchronous.
   */
  async decrypting<T>(fn: () => T): Promise<DecryptingRun<T>> {
    for (;;) {
      const rec = { read: [] as string[], pending: new Set<string>() };
      const outer = this.recorder;
      this.recorder = rec;
      let value: T | undefined;
      let failure: { error: unknown } | undefined;
      try {
        value = fn();
      } catch (e) {
        failure = { error: e };
      } finally {
        this.recorder = outer;
      }
      if (rec.pending.size === 0) {
        if (failure) throw failure.error;
        return { value: value as T, read: rec.read };
      }
      // Each round decrypts at least one file it did not have, so the loop ends.
      for (const path of rec.pending) await this.decryptFile(path);
    }
  }

  readFile(path: string): Uint8Array {
    const real = this.inner.realPath(path);
    this.recorder?.read.push(path);
    const plain = this.plain.get(real);
    if (plain) return plain;
    const bytes = this.inner.readFile(path);
    if (!this.classify(real, bytes) || this.options.decrypt === false) return bytes;
    this.recorder?.pending.add(real);
    throw new SecretError('SOPS_NOT_DECRYPTED', `${real} is SOPS-encrypted and was not decrypted yet`, {
      file: real,
      hint: 'Read it inside DecryptingFs.decrypting(), which decrypts what a render reads.',
    });
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

  /** Whether the file is a SOPS file, remembered per real path. */
  private classify(real: string, bytes: Uint8Array): boolean {
    if (this.sops.has(real)) return true;
    if (this.clear.has(real)) return false;
    const max = this.options.maxFileSize ?? 4 * 1024 * 1024;
    const text = bytes.length > max ? '' : Buffer.from(bytes).toString('utf8');
    const isSops = mightBeSops(text) && isSopsFile(text, real);
    (isSops ? this.sops : this.clear).add(real);
    return isSops;
  }

  /** Decrypts one SOPS file into memory; concurrent asks share one decryption, a failure is not kept. */
  async decryptFile(real: string): Promise<void> {
    if (this.plain.has(real)) return;
    let running = this.inFlight.get(real);
    if (!running) {
      running = (async () => {
        this.identities ??= this.loadIdentities();
        const d = await decryptSopsFile(this.inner.readFile(real), real, this.identities);
        this.options.registry?.addAll(d.values);
        this.plain.set(real, d.plaintext);
      })().finally(() => this.inFlight.delete(real));
      this.inFlight.set(real, running);
    }
    await running;
  }

  private loadIdentities(): AgeIdentities {
    const ids = this.options.identities;
    return typeof ids === 'function' ? ids() : (ids ?? loadAgeIdentities());
  }

  size(path: string): number | undefined {
    return this.plain.get(this.inner.realPath(path))?.length ?? this.inner.size?.(path);
  }
}

/**
 * A DecryptingFs that decrypts lazily, as renders read (see `DecryptingFs.decrypting`). Needs
 * no key until a render reads a SOPS file.
 */
export function lazyDecryptingFs(fs: ReadonlyFs, options: DecryptingFsOptions = {}): DecryptingFs {
  return new DecryptingFs(fs, options);
}

/**
 * Scans `roots` for SOPS files and decrypts them all up front, for tools that read a whole
 * tree (secret rotation, a render outside `decrypting`). A file that does not decrypt fails it.
 */
export async function openDecryptingFs(fs: ReadonlyFs, options: DecryptingFsOptions = {}): Promise<DecryptingFs> {
  const dfs = new DecryptingFs(fs, options);
  const found: string[] = [];
  const seen = new Set<string>();
  const walk = (dir: string): void => {
    if (fs.stat(dir) !== 'dir') return;
    for (const e of fs.readDir(dir)) {
      const p = joinPath(dir, e.name);
      if (e.type === 'dir' && !SKIP_DIRS.has(e.name)) walk(p);
      if (e.type !== 'file' || seen.has(p)) continue;
      seen.add(p);
      // Too large to be a SOPS file: not read at all, so a huge file costs nothing here.
      if ((fs.size?.(p) ?? 0) > (options.maxFileSize ?? 4 * 1024 * 1024)) continue;
      if (dfs.isEncrypted(p)) found.push(p);
    }
  };
  for (const root of options.roots ?? ['.']) walk(root);
  if (options.decrypt !== false) for (const p of found) await dfs.decryptFile(p);
  return dfs;
}
