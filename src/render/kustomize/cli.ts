import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describeError } from '../../errors/index.js';
import { DiskFs } from '../../vfs/index.js';
import { kustomizeBuild, type KustomizeBuildOptions } from './index.js';

export interface CliIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
}

const USAGE =
  'usage: sluice kustomize build [DIR] [--load-restrictor LoadRestrictionsRootOnly|LoadRestrictionsNone] [-o FILE]\n';

/**
 * `sluice kustomize build <dir>`: a drop-in for `kustomize build`. Output goes to stdout
 * byte for byte as kustomize prints it; errors go to stderr; the exit code is 0, 1 on a
 * failed build, 2 on a bad command line. DIR may be relative to the working directory or
 * absolute.
 */
export function runKustomizeBuild(argv: string[], io: CliIo, cwd: string = process.cwd()): number {
  const args = [...argv];
  if (args[0] === 'build') args.shift();
  let dir = '.';
  let dirSet = false;
  const options: KustomizeBuildOptions = {};
  let outFile: string | undefined;
  while (args.length > 0) {
    const a = args.shift()!;
    if (a === '-h' || a === '--help') {
      io.stdout.write(USAGE);
      return 0;
    }
    if (a === '--load-restrictor' || a.startsWith('--load-restrictor=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : args.shift();
      if (v === 'LoadRestrictionsNone' || v === 'none') options.loadRestrictions = 'none';
      else if (v === 'LoadRestrictionsRootOnly' || v === 'rootOnly') options.loadRestrictions = 'rootOnly';
      else {
        io.stderr.write(`Error: illegal flag value --load-restrictor ${v ?? ''}\n${USAGE}`);
        return 2;
      }
      continue;
    }
    if (a === '-o' || a === '--output') {
      outFile = args.shift();
      continue;
    }
    if (a.startsWith('-')) {
      io.stderr.write(`Error: unknown flag: ${a}\n${USAGE}`);
      return 2;
    }
    if (dirSet) {
      io.stderr.write(`Error: specify one path to a kustomization directory\n${USAGE}`);
      return 2;
    }
    dir = a;
    dirSet = true;
  }
  // Rooted at the filesystem root, as kustomize is: bases may be anywhere (`../../base` from
  // the working directory), while each kustomization's own load restriction still applies.
  const abs = resolve(cwd, dir);
  const kind = entryKind(abs);
  if (kind !== 'dir') {
    io.stderr.write(
      `Error: must build at directory: '${dir}': ${kind === undefined ? 'no such directory' : 'file is not directory'}\n`,
    );
    return 1;
  }
  try {
    const out = kustomizeBuild(new DiskFs('/'), abs, options);
    if (outFile) writeFileSync(resolve(cwd, outFile), out);
    else io.stdout.write(out);
    return 0;
  } catch (e) {
    io.stderr.write(`Error: ${absolutePaths(describeError(e))}\n`);
    return 1;
  }
}

function entryKind(p: string): 'file' | 'dir' | undefined {
  try {
    return statSync(p).isDirectory() ? 'dir' : 'file';
  } catch {
    return undefined;
  }
}

/**
 * The engine names files by their path in the tree it reads, here relative to `/`; people
 * expect absolute paths, as kustomize prints them.
 */
function absolutePaths(text: string): string {
  let tops: string[];
  try {
    tops = readdirSync('/').filter((n) => /^[\w.-]+$/.test(n));
  } catch {
    return text;
  }
  if (tops.length === 0) return text;
  const alt = tops.map((t) => t.replace(/\./g, '\\.')).join('|');
  return text.replace(new RegExp(`(^|[\\s'"(\`])((?:${alt})/)`, 'g'), '$1/$2');
}
