import { RenderError } from '../../../errors/index.js';
import { isWithin, joinPath, type ReadonlyFs } from '../../../vfs/index.js';
import { decodeManifest } from '../../text.js';
import { KUSTOMIZATION_FILE_NAMES } from './kustfile.js';

export type LoadRestriction = 'rootOnly' | 'none';

/**
 * Reads files for one kustomization root, the way kustomize's FileLoader does: files it
 * references (patches, generator inputs, resource files) must resolve inside the root unless
 * load restrictions are off; other kustomization directories may be anywhere in the tree.
 * A chain of loaders records the roots visited so a base that includes itself is caught.
 */
export class Loader {
  constructor(
    readonly fs: ReadonlyFs,
    /** Real path of the root, relative to the fs root. */
    readonly root: string,
    readonly restriction: LoadRestriction,
    readonly parent?: Loader,
  ) {}

  /** Path of `p` (relative to this root) relative to the fs root, without resolving links. */
  join(p: string): string {
    return joinPath(this.root, p);
  }

  /** Reads a file referenced from this kustomization; `what` names the field for messages. */
  readText(p: string, referencedFrom: string): { text: string; path: string } {
    const { bytes, path } = this.read(p, referencedFrom);
    return { text: decodeManifest(bytes, path), path };
  }

  /** Told the tree path of every file read; generators use it to know what their data came from. */
  onRead: ((path: string) => void) | undefined;

  readBytes(p: string, referencedFrom: string): Uint8Array {
    return this.read(p, referencedFrom).bytes;
  }

  private read(p: string, referencedFrom: string): { bytes: Uint8Array; path: string } {
    if (isRemote(p)) throw remoteError(p, referencedFrom);
    const joined = this.join(p);
    if (joined === '..' || joined.startsWith('../')) throw outsideTreeError('path', p, referencedFrom);
    const kind = this.fs.stat(joined);
    if (kind === undefined) {
      // realPath throws PATH_ESCAPE for links leaving the tree; surface that rather than "missing".
      if (this.fs.lstat(joined) === 'symlink') this.fs.realPath(joined);
      throw new RenderError('NOT_FOUND', `${joined}: no such file or directory (referenced from ${referencedFrom})`, {
        file: referencedFrom,
        hint: `Create ${joined} or fix the path in ${referencedFrom}.`,
      });
    }
    if (kind !== 'file') {
      throw new RenderError('NOT_A_FILE', `${joined} must resolve to a file (referenced from ${referencedFrom})`, {
        file: referencedFrom,
      });
    }
    const real = this.fs.realPath(joined);
    if (this.restriction === 'rootOnly' && !isWithin(this.root, real)) {
      throw rootOnlyError(p, real, referencedFrom, this.root);
    }
    this.onRead?.(real);
    return { bytes: this.fs.readFile(real), path: real };
  }

  /** A loader for a kustomization directory referenced from here (a base or component). */
  child(p: string, referencedFrom: string): Loader {
    if (isRemote(p)) throw remoteError(p, referencedFrom);
    const joined = this.join(p);
    if (joined === '..' || joined.startsWith('../')) throw outsideTreeError('directory', p, referencedFrom);
    const kind = this.fs.stat(joined);
    if (kind !== 'dir') {
      throw new RenderError(
        kind === undefined ? 'NOT_FOUND' : 'NOT_A_DIRECTORY',
        `${joined}: ${kind === undefined ? 'no such directory' : 'not a directory'} (referenced from ${referencedFrom})`,
        { file: referencedFrom, hint: `Point the entry in ${referencedFrom} at a kustomization directory.` },
      );
    }
    const real = this.fs.realPath(joined);
    const chain: string[] = [];
    for (let l = this.parent; l; l = l.parent) chain.unshift(l.root);
    chain.push(this.root);
    if (chain.some((visited) => isWithin(real, visited))) {
      const start = chain.findIndex((visited) => isWithin(real, visited));
      const loop = [...chain.slice(start), real].map(display).join(' → ');
      throw new RenderError('KUSTOMIZE_CYCLE', `cycle: ${loop}`, {
        file: referencedFrom,
        hint: `${display(real)} contains a kustomization that is already being built; a base cannot include its own overlay or a parent directory.`,
      });
    }
    return new Loader(this.fs, real, this.restriction, this);
  }

  /** The kustomization file of this root, or undefined if there is none. */
  findKustomizationFile(): string | undefined {
    const found = KUSTOMIZATION_FILE_NAMES.filter((n) => this.fs.stat(this.join(n)) === 'file');
    if (found.length > 1) {
      throw new RenderError('KUSTOMIZE_AMBIGUOUS', `Found multiple kustomization files under: ${display(this.root)}`, {
        file: this.join(found[0]!),
        hint: `Keep only one of ${found.join(', ')}.`,
      });
    }
    return found[0] === undefined ? undefined : this.join(found[0]);
  }

  /** True if `p` names an existing file under this root (used to tell paths from inline text). */
  isFileLike(p: string): boolean {
    const joined = this.join(p);
    if (joined === '..' || joined.startsWith('../')) return !p.includes(':');
    return this.fs.stat(joined) === 'file' || !/[:\n]/.test(p);
  }

  isDir(p: string): boolean {
    const joined = this.join(p);
    if (joined === '..' || joined.startsWith('../')) return false;
    return this.fs.stat(joined) === 'dir';
  }
}

function display(p: string): string {
  return p === '.' ? '.' : p;
}

export function isRemote(p: string): boolean {
  return (
    /^[a-z][a-z0-9+.-]*:\/\//i.test(p) ||
    /^git@/.test(p) ||
    /^(github\.com|gitlab\.com|bitbucket\.org)\//.test(p) ||
    /[?&]ref=/.test(p)
  );
}

function remoteError(p: string, from: string): RenderError {
  return new RenderError(
    'KUSTOMIZE_REMOTE_UNSUPPORTED',
    `remote resource '${p}' is not supported (referenced from ${from})`,
    {
      file: from,
      hint: 'Sluice renders only what is in the config repository; vendor the remote base into the repository and reference it by path.',
    },
  );
}

/** kustomize's LoadRestrictionsRootOnly: a file a kustomization reads must be in or below its directory. */
function rootOnlyError(p: string, real: string, from: string, root: string): RenderError {
  return new RenderError(
    'PATH_ESCAPE',
    `security; file '${real}' is not in or below '${display(root)}' (referenced as '${p}')`,
    {
      file: from,
      hint: 'Files used by a kustomization (patches, generator inputs, resources) must live in or below its directory; move the file, make its directory a base, or build with --load-restrictor LoadRestrictionsNone.',
    },
  );
}

/** A path that climbs above the tree being built (the repository, or the directory handed to the build). */
function outsideTreeError(what: 'path' | 'directory', p: string, from: string): RenderError {
  return new RenderError(
    'PATH_ESCAPE',
    `${what} '${p}' resolves outside the tree being built (referenced from ${from})`,
    {
      file: from,
      hint: `Everything a kustomization uses must be inside the tree being built; move what ${p} names into it.`,
    },
  );
}
