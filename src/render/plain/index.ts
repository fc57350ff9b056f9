import { LineCounter, parseAllDocuments } from 'yaml';
import { locateInDocument, yamlErrorPosition } from '../../config/yaml-location.js';
import { RenderError } from '../../errors/index.js';
import type { RenderedResource, Resource } from '../../model/resource.js';
import { RenderBudget } from '../budget.js';
import { decodeManifest } from '../text.js';
import type { Renderer, RenderRequest } from '../types.js';
import { walkFiles } from '../walk.js';

/** Aliases beyond this many expansions are refused: a YAML bomb must not exhaust memory. */
const MAX_ALIAS_COUNT = 100;
const MANIFEST = /\.ya?ml$/i;
const NOT_MANIFESTS = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization']);

/**
 * Plain manifests: every `.yaml`/`.yml` file of a directory and its subdirectories, in path
 * order, each file holding one or more documents. What you write is what is applied.
 */
export const plainRenderer: Renderer = {
  name: 'plain',
  detect: () => true,
  render({ fs, dir, budget = new RenderBudget(dir) }: RenderRequest): RenderedResource[] {
    const out: RenderedResource[] = [];
    const wants = (name: string) => MANIFEST.test(name) && !NOT_MANIFESTS.has(name);
    for (const file of walkFiles(fs, dir, { budget, wants })) out.push(...parseManifests(fs.readFile(file), file));
    return out;
  },
};

/** Parses a multi-document YAML file into resources with their file and line. */
export function parseManifests(bytes: Uint8Array, file: string): RenderedResource[] {
  const text = decodeManifest(bytes, file);
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (!Array.isArray(docs)) return []; // an empty stream
  const out: RenderedResource[] = [];
  for (const doc of docs) {
    const err = doc.errors[0];
    if (err) {
      const pos = yamlErrorPosition(text, doc.errors, lineCounter);
      throw new RenderError('YAML_SYNTAX', `invalid YAML: ${err.message.split('\n')[0]}`, {
        file,
        line: pos.line,
        column: pos.column,
        hint: 'Fix the YAML syntax at that line; nothing was applied.',
      });
    }
    if (doc.contents === null) continue;
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      throw new RenderError('YAML_ALIAS_LIMIT', `refusing to expand YAML aliases: ${(e as Error).message}`, {
        file,
        line: doc.contents.range ? lineCounter.linePos(doc.contents.range[0]).line : undefined,
        hint: 'The document expands aliases excessively (a YAML bomb?); write the values out.',
      });
    }
    const line = doc.contents.range ? lineCounter.linePos(doc.contents.range[0]).line : 1;
    if (value === null || value === undefined) continue;
    checkShape(value, file, line);
    out.push({
      object: value,
      origin: { file, line, locate: (path) => locateInDocument(doc, lineCounter, path)?.line },
    });
  }
  return out;
}

function checkShape(value: unknown, file: string, line: number): asserts value is Resource {
  const fail = (what: string): never => {
    throw new RenderError('MANIFEST_SHAPE', `document is not a resource: ${what}`, {
      file,
      line,
      hint: 'Each document needs apiVersion, kind and metadata.name.',
    });
  };
  if (typeof value !== 'object' || Array.isArray(value)) fail('expected a mapping');
  const v = value as Record<string, unknown>;
  if (typeof v.apiVersion !== 'string' || !v.apiVersion) fail('missing apiVersion');
  if (typeof v.kind !== 'string' || !v.kind) fail('missing kind');
  const meta = v.metadata as Record<string, unknown> | undefined;
  if (!meta || typeof meta !== 'object' || typeof meta.name !== 'string' || !meta.name) fail('missing metadata.name');
}
