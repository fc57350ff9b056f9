import { RenderError, SymlinkError } from '../errors/index.js';
import { joinPath, normalizePath } from './paths.js';

/**
 * What one step of link resolution needs to know about a path: not a link (undefined), or a
 * link with its target as stored and, when the tree already knows it, the tree path it lands on.
 */
export type LinkProbe = (path: string) => { link: string; lands?: string } | undefined;

/** Links followed in one resolution before it counts as a loop, as Linux's MAXSYMLINKS. */
export const MAX_LINK_HOPS = 40;

/**
 * Resolves every symbolic link in `path`, component by component, inside a tree. A link
 * that leaves the tree or comes back to itself is an error naming that link (its path in the
 * tree) and where it points, so a person knows which link to fix, not only which file was read.
 */
export function resolveLinks(path: string, probe: LinkProbe, root = 'the repository'): string {
  const parts = normalizePath(path)
    .split('/')
    .filter((s) => s !== '.');
  let resolved = '.';
  const followed = new Set<string>();
  while (parts.length > 0) {
    const part = parts.shift()!;
    const next = joinPath(resolved, part);
    if (next === '..' || next.startsWith('../')) throw escapeError(path, root);
    const node = probe(next);
    if (node) {
      if (followed.has(next) || followed.size >= MAX_LINK_HOPS) throw loopError(next, node.link, path);
      followed.add(next);
      if (node.lands === undefined && node.link.startsWith('/')) throw linkEscapeError(next, node.link, root);
      const target = node.lands ?? joinPath(resolved, node.link);
      if (target === '..' || target.startsWith('../')) throw linkEscapeError(next, node.link, root);
      parts.unshift(...target.split('/').filter((s) => s !== '.'));
      resolved = '.';
      continue;
    }
    resolved = next;
  }
  return resolved;
}

/** `link` (a path in the tree) points outside the tree. */
export function linkEscapeError(link: string, target: string, root = 'the repository'): SymlinkError {
  // The code is the one every escaping path has: scripts need not tell a link from `../`.
  return new SymlinkError('PATH_ESCAPE', `symbolic link ${link} points to ${target}, outside ${root}`, {
    file: link,
    hint: `Sluice follows symbolic links only inside ${root}: copy what ${link} points to into it, or remove the link.`,
  });
}

/** Following `link` comes back to where it started. */
export function loopError(link: string, target: string, reading: string): SymlinkError {
  const via = reading === link ? '' : ` (reading ${reading})`;
  return new SymlinkError(
    'SYMLINK_LOOP',
    `symbolic link ${link} points to ${target}, which loops back to itself${via}`,
    {
      file: link,
      hint: `Point ${link} at a file or directory that is not itself a link back, or remove it.`,
    },
  );
}

function escapeError(path: string, root: string): RenderError {
  return new RenderError('PATH_ESCAPE', `${path} resolves outside ${root}`, {
    file: path,
    hint: `Paths and symbolic links must stay inside ${root}.`,
  });
}
