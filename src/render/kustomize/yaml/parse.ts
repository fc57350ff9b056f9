import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  type Document,
  type Node as YNode,
} from 'yaml';
import type { Alias } from 'yaml';
import { yamlErrorPosition } from '../../../config/yaml-location.js';
import { RenderError } from '../../../errors/index.js';
import { markEmptyNull, setKey, type JsonObject, type JsonValue } from '../model/json.js';
import { resolvePlain, resolveTagged } from './resolve.js';

/**
 * YAML → JSON-shaped data with go-yaml v3's rules (what kustomize's kyaml decodes with):
 * `yes`/`on` stay strings, `0644` is octal, `1_000` is an int, timestamps become RFC 3339.
 * The `yaml` package parses (failsafe schema, so every scalar arrives as text) and this
 * module decides what each plain scalar means.
 */
export interface ParsedDoc {
  value: JsonValue;
  /** 1-based line where the document's content starts. */
  line: number;
}

/** go-yaml refuses documents whose alias expansion dwarfs their size; so do we. */
const MAX_ALIAS_EXPANSION = 100_000;

export interface ParseOptions {
  /**
   * kustomize decodes kustomization files through yaml.v2 into a map and then JSON, so a
   * repeated key silently replaces the earlier one there; resources go through kyaml, which
   * refuses them.
   */
  duplicateKeys?: 'error' | 'lastWins';
}

export function parseYamlDocs(text: string, file: string, opts: ParseOptions = {}): ParsedDoc[] {
  const lc = new LineCounter();
  const uniqueKeys = opts.duplicateKeys !== 'lastWins';
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, {
      schema: 'failsafe',
      uniqueKeys,
      lineCounter: lc,
      prettyErrors: false,
    }) as Document.Parsed[];
  } catch (e) {
    throw new RenderError('YAML_INVALID', `${file}: ${(e as Error).message}`, { file, cause: e });
  }
  if (!Array.isArray(docs)) docs = [docs as unknown as Document.Parsed];
  const out: ParsedDoc[] = [];
  for (const doc of docs) {
    const err = doc.errors[0];
    if (err) {
      const pos = yamlErrorPosition(text, doc.errors, lc);
      throw new RenderError('YAML_INVALID', `${file}:${pos.line}: ${firstLine(err.message)}`, {
        file,
        line: pos.line,
        hint: 'Fix the YAML syntax; kustomize would reject this file too.',
      });
    }
    const contents = doc.contents as YNode | null;
    if (contents === null || (isScalar(contents) && contents.value === null && contents.source === '')) continue;
    const budget = { left: MAX_ALIAS_EXPANSION, openEnd: text.endsWith('\n') ? -1 : text.length };
    const value = toValue(contents, doc, file, lc, budget, false);
    const line = contents.range ? lc.linePos(contents.range[0]).line : 1;
    out.push({ value, line });
  }
  return out;
}

function firstLine(s: string): string {
  const i = s.indexOf('\n');
  return i < 0 ? s : s.slice(0, i);
}

interface Budget {
  left: number;
  /** The text's length when it does not end in a line break, else -1 (see blockScalar). */
  openEnd: number;
}

function toValue(
  node: YNode,
  doc: Document.Parsed,
  file: string,
  lc: LineCounter,
  budget: Budget,
  viaAlias: boolean,
): JsonValue {
  if (viaAlias && --budget.left < 0) {
    const line = node.range ? lc.linePos(node.range[0]).line : undefined;
    throw new RenderError('YAML_ALIAS_BOMB', `${file}: document contains excessive aliasing`, {
      file,
      line,
      hint: 'YAML anchors and aliases expand to too many nodes; write the content out or reduce the nesting.',
    });
  }
  if (isAlias(node)) {
    const target = (node as Alias).resolve(doc);
    if (!target) throw new RenderError('YAML_INVALID', `${file}: unknown anchor '${(node as Alias).source}'`, { file });
    return toValue(target as YNode, doc, file, lc, budget, true);
  }
  if (isScalar(node)) {
    const raw = node.value === null || node.value === undefined ? '' : String(node.value);
    if (node.tag && node.tag !== '!') return resolveTagged(node.tag, raw, file);
    if (node.type === 'PLAIN') return resolvePlain(raw);
    // A block scalar that runs to the end of a text with no final line break has no line break
    // to keep (go-yaml, hence kustomize, reads `|` there as `|-`); the yaml library adds one.
    const blockAtOpenEnd =
      (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') &&
      node.range !== undefined &&
      node.range !== null &&
      node.range[1] >= budget.openEnd &&
      budget.openEnd >= 0;
    return blockAtOpenEnd && raw.endsWith('\n') ? raw.slice(0, -1) : raw;
  }
  if (isSeq(node)) return node.items.map((it) => toValue(it as YNode, doc, file, lc, budget, viaAlias));
  if (isMap(node)) {
    const obj: JsonObject = {};
    const merges: JsonValue[] = [];
    for (const pair of node.items) {
      const keyNode = pair.key as YNode | null;
      const valNode = pair.value as YNode | null;
      if (keyNode && isScalar(keyNode) && keyNode.type === 'PLAIN' && !keyNode.tag && keyNode.value === '<<') {
        if (valNode) merges.push(toValue(valNode, doc, file, lc, budget, viaAlias));
        continue;
      }
      const key = keyNode === null ? null : toValue(keyNode, doc, file, lc, budget, viaAlias);
      const keyText = key === null ? 'null' : typeof key === 'object' ? JSON.stringify(key) : String(key);
      setKey(obj, keyText, valNode === null ? null : toValue(valNode, doc, file, lc, budget, viaAlias));
      if (valNode === null || (isScalar(valNode) && valNode.type === 'PLAIN' && !valNode.tag && valNode.source === ''))
        markEmptyNull(obj, keyText);
    }
    for (const m of merges) applyMerge(obj, m, file);
    return obj;
  }
  return null;
}

/** `<<` merge keys: explicitly written keys win, earlier merge sources win over later ones. */
function applyMerge(obj: JsonObject, src: JsonValue, file: string): void {
  const sources = Array.isArray(src) ? src : [src];
  for (const s of sources) {
    if (typeof s !== 'object' || s === null || Array.isArray(s)) {
      throw new RenderError('YAML_INVALID', `${file}: map merge requires map or sequence of maps as the value`, {
        file,
      });
    }
    for (const k of Object.keys(s)) if (!Object.prototype.hasOwnProperty.call(obj, k)) setKey(obj, k, s[k]!);
  }
}
