import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiskFs } from '../../vfs/index.js';
import { kustomizeBuild } from './index.js';

// Each testdata/<case>/ holds an input tree and what kustomize v5.8.1 printed for it
// (expected.yaml), or its error (expected-error.txt). gen-expected.sh regenerates them.
const root = join(import.meta.dirname, 'testdata');
const cases = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);

describe('golden cases against kustomize v5.8.1', () => {
  for (const c of cases) {
    const dirFile = join(root, c, 'build-dir');
    const dir = existsSync(dirFile) ? readFileSync(dirFile, 'utf8').trim() : '.';
    const expectedFile = join(root, c, 'expected.yaml');
    it(c, () => {
      const fs = new DiskFs(join(root, c));
      if (existsSync(expectedFile)) {
        expect(kustomizeBuild(fs, dir)).toBe(readFileSync(expectedFile, 'utf8'));
      } else {
        expect(() => kustomizeBuild(fs, dir)).toThrow();
      }
    });
  }
});
