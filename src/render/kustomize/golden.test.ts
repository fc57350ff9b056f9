import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RenderError } from '../../errors/index.js';
import { DiskFs } from '../../vfs/index.js';
import { kustomizeBuild } from './index.js';

// Each testdata/<case>/ holds an input tree and what kustomize v5.8.1 printed for it
// (expected.yaml), or its error (expected-error.txt). gen-expected.sh regenerates them.
const root = join(import.meta.dirname, 'testdata');
const cases = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

function buildError(fs: DiskFs, dir: string): unknown {
  try {
    kustomizeBuild(fs, dir);
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('golden cases against kustomize v5.8.1', () => {
  it('has cases for both outcomes', () => {
    // Without an error case the error branch below would go untested.
    const errorCases = cases.filter((c) => existsSync(join(root, c, 'expected-error.txt')));
    expect(errorCases.length).toBeGreaterThan(0);
    expect(errorCases.length).toBeLessThan(cases.length);
  });

  for (const c of cases) {
    const dirFile = join(root, c, 'build-dir');
    const dir = existsSync(dirFile) ? readFileSync(dirFile, 'utf8').trim() : '.';
    const expectedFile = join(root, c, 'expected.yaml');
    const expectedErrorFile = join(root, c, 'expected-error.txt');
    it(c, () => {
      const fs = new DiskFs(join(root, c));
      if (existsSync(expectedFile)) {
        expect(kustomizeBuild(fs, dir)).toBe(readFileSync(expectedFile, 'utf8'));
        return;
      }
      expect(existsSync(expectedErrorFile), `${c} has neither expected.yaml nor expected-error.txt`).toBe(true);
      const e = buildError(fs, dir);
      // A crash (TypeError and the like) is not the failure kustomize reports.
      expect(e).toBeInstanceOf(RenderError);
      // Ours names the file first; the rest is kustomize's wording, so users can search for it.
      const kustomizeSays = readFileSync(expectedErrorFile, 'utf8')
        .split('\n')[0]!
        .replace(/^Error: /, '');
      expect((e as RenderError).message).toContain(kustomizeSays);
    });
  }
});
