import { writeFileSync } from 'node:fs';
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
 * failed build, 2 on a bad command line. The tree is read through a DiskFs rooted at the
 * current directory (or at DIR when DIR is outside it), so links cannot escape it.
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
  const abs = resolve(cwd, dir);
  const base = abs === cwd || abs.startsWith(cwd + '/') ? cwd : abs;
  try {
    const fs = new DiskFs(base);
    const rel = abs === base ? '.' : abs.slice(base.length + 1);
    const out = kustomizeBuild(fs, rel, options);
    if (outFile) writeFileSync(resolve(cwd, outFile), out);
    else io.stdout.write(out);
    return 0;
  } catch (e) {
    io.stderr.write(`Error: ${describeError(e)}\n`);
    return 1;
  }
}
