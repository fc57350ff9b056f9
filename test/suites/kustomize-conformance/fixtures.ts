import { lstatSync, readdirSync, readFileSync, readlinkSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryFs } from '../../../src/vfs/index.js';
import { OWN_DIR, corpusDir } from './paths.js';

/** case.json, as written by gen/ for every fixture. */
export interface CaseSpec {
  id: string;
  source: 'krusty' | 'own';
  test?: string;
  file?: string;
  line?: number;
  feature: string;
  description?: string;
  dir: string;
  loadRestrictions: 'rootOnly' | 'none';
  applicable: boolean;
  reason?: string;
  expect?: 'output' | 'error';
  errorMessage?: string;
  command?: string;
  dirs?: string[];
  symlinks?: Record<string, string>;
  notes?: string[];
}

export interface Fixture {
  spec: CaseSpec;
  /** Directory holding case.json and the expected bytes. */
  caseDir: string;
  /** Directory holding the input tree. */
  filesDir: string;
}

function findCaseDirs(root: string): string[] {
  if (!existsSync(root)) return [];
  const out: string[] = [];
  const walk = (dir: string): void => {
    const entries = readdirSync(dir, { withFileTypes: true });
    if (entries.some((e) => e.isFile() && e.name === 'case.json')) {
      out.push(dir);
      return;
    }
    for (const e of entries) if (e.isDirectory() && e.name !== 'files') walk(join(dir, e.name));
  };
  walk(root);
  return out.sort();
}

/** Every krusty fixture and every own case, in a stable order. */
export function loadFixtures(version: string): Fixture[] {
  const root = corpusDir(version);
  const fixtures: Fixture[] = [];
  for (const caseDir of findCaseDirs(join(root, 'krusty', 'corpus'))) {
    fixtures.push({ spec: readSpec(caseDir), caseDir, filesDir: join(caseDir, 'files') });
  }
  for (const caseDir of findCaseDirs(join(root, 'own'))) {
    const spec = readSpec(caseDir);
    fixtures.push({ spec, caseDir, filesDir: join(OWN_DIR, spec.id.replace(/^own\//, ''), 'files') });
  }
  return fixtures;
}

/** Own cases committed in the repo, whether or not their expectations were generated. */
export function ownCaseNames(): string[] {
  if (!existsSync(OWN_DIR)) return [];
  return readdirSync(OWN_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

function readSpec(caseDir: string): CaseSpec {
  return JSON.parse(readFileSync(join(caseDir, 'case.json'), 'utf8')) as CaseSpec;
}

/** The fixture's input tree as a MemoryFs rooted at the tree's top. */
export function loadTree(f: Fixture): MemoryFs {
  const fs = new MemoryFs();
  const walk = (abs: string, rel: string): void => {
    for (const e of readdirSync(abs, { withFileTypes: true })) {
      const a = join(abs, e.name);
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      const st = lstatSync(a);
      if (st.isSymbolicLink()) fs.addSymlink(r, readlinkSync(a));
      else if (st.isDirectory()) {
        fs.addDir(r);
        walk(a, r);
      } else fs.addFile(r, readFileSync(a));
    }
  };
  if (existsSync(f.filesDir)) walk(f.filesDir, '');
  return fs;
}

export function expectedOutput(f: Fixture): string {
  return readFileSync(join(f.caseDir, 'expected.yaml'), 'utf8');
}
