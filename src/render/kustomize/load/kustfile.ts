import { RenderError } from '../../../errors/index.js';
import { isObject, type JsonObject, type JsonValue } from '../model/json.js';
import { YamlLines, type Enclosing, type FieldPath, type FieldSource } from '../resource/provenance.js';
import { parseYamlDocs } from '../yaml/parse.js';

/** The names kustomize looks for, in its order; more than one present is an error. */
export const KUSTOMIZATION_FILE_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** Every field kustomize's Kustomization type accepts (json tags of types.Kustomization). */
const KNOWN_FIELDS = [
  'apiVersion',
  'kind',
  'metadata',
  'openapi',
  'namePrefix',
  'nameSuffix',
  'namespace',
  'commonLabels',
  'labels',
  'commonAnnotations',
  'patchesStrategicMerge',
  'patchesJson6902',
  'patches',
  'images',
  'imageTags',
  'replacements',
  'replicas',
  'vars',
  'sortOptions',
  'resources',
  'components',
  'crds',
  'bases',
  'configMapGenerator',
  'secretGenerator',
  'helmGlobals',
  'helmCharts',
  'helmChartInflationGenerator',
  'generatorOptions',
  'configurations',
  'generators',
  'transformers',
  'validators',
  'buildMetadata',
];
// encoding/json matches field names case-insensitively; so does kustomize.
const BY_LOWER = new Map(KNOWN_FIELDS.map((f) => [f.toLowerCase(), f]));

export interface Kustomization {
  raw: JsonObject;
  file: string;
  kind: 'Kustomization' | 'Component';
  /** 1-based line of each top-level field, for messages. */
  lines: Map<string, number>;
  /** The line of a field at any depth (`['images', 0, 'newTag']`), as a source of what it sets. */
  source(path: FieldPath): FieldSource;
  /** Where a string field (an inline patch) sits, for lines inside it; `dropped`: leading line breaks trimmed. */
  enclosing(path: FieldPath, dropped: number): Enclosing;
}

export function parseKustomization(text: string, file: string): Kustomization {
  const docs = parseYamlDocs(text, file, { duplicateKeys: 'lastWins' });
  if (docs.length === 0) {
    throw new RenderError('KUSTOMIZE_EMPTY', `${file}: kustomization.yaml is empty`, {
      file,
      hint: 'List resources, components or generators.',
    });
  }
  const doc = docs[0]!;
  if (!isObject(doc.value)) {
    throw new RenderError('KUSTOMIZE_INVALID', `${file}: invalid Kustomization: the file must hold a YAML map`, {
      file,
      line: doc.line,
    });
  }
  const raw: JsonObject = {};
  for (const [k, v] of Object.entries(doc.value)) {
    const canonical = BY_LOWER.get(k.toLowerCase());
    if (!canonical) {
      throw new RenderError('KUSTOMIZE_UNKNOWN_FIELD', `${file}: invalid Kustomization: json: unknown field "${k}"`, {
        file,
        line: findKeyLine(text, k),
        field: k,
        hint: 'Remove or rename the field; kustomize rejects fields it does not know.',
      });
    }
    raw[canonical] = v;
  }
  const kindValue = raw['kind'];
  const kind = kindValue === undefined || kindValue === '' ? 'Kustomization' : kindValue;
  const apiVersion = raw['apiVersion'];
  if (kind !== 'Kustomization' && kind !== 'Component') {
    throw new RenderError('KUSTOMIZE_INVALID', `${file}: kind should be Kustomization or Component`, {
      file,
      line: findKeyLine(text, 'kind'),
    });
  }
  const required = kind === 'Component' ? 'kustomize.config.k8s.io/v1alpha1' : 'kustomize.config.k8s.io/v1beta1';
  if (apiVersion !== undefined && apiVersion !== '' && apiVersion !== required) {
    throw new RenderError('KUSTOMIZE_INVALID', `${file}: apiVersion for ${kind} should be ${required}`, {
      file,
      line: findKeyLine(text, 'apiVersion'),
    });
  }
  const lines = new Map<string, number>();
  for (const k of Object.keys(doc.value)) {
    const l = findKeyLine(text, k);
    if (l !== undefined) lines.set(BY_LOWER.get(k.toLowerCase())!, l);
  }
  const meaningful = Object.keys(raw).filter((k) => k !== 'apiVersion' && k !== 'kind');
  if (meaningful.length === 0) {
    throw new RenderError('KUSTOMIZE_EMPTY', `${file}: kustomization.yaml is empty`, {
      file,
      hint: 'List resources, components or generators.',
    });
  }
  const at = new YamlLines(text);
  const source = (path: FieldPath): FieldSource => at.source(file, doc.line, path);
  const enclosing = (path: FieldPath, dropped: number): Enclosing => ({ lines: at, docLine: doc.line, path, dropped });
  return { raw, file, kind, lines, source, enclosing };
}

function findKeyLine(text: string, key: string): number | undefined {
  const lines = text.split('\n');
  const esc = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`^["']?${esc}["']?\\s*:`);
  const i = lines.findIndex((l) => re.test(l));
  return i < 0 ? undefined : i + 1;
}

/** Typed accessors that fail like kustomize's strict JSON decoding does, but name the file. */
export function stringList(k: Kustomization, field: string): string[] {
  const v = k.raw[field];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
    throw typeError(k, field, 'a list of strings');
  }
  return v as string[];
}

export function stringField(k: Kustomization, field: string): string {
  const v = k.raw[field];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw typeError(k, field, 'a string');
  return v;
}

export function stringMapField(k: Kustomization, field: string): Record<string, string> {
  const v = k.raw[field];
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw typeError(k, field, 'a map of strings');
  const out: Record<string, string> = {};
  for (const [key, x] of Object.entries(v)) {
    if (typeof x === 'string') out[key] = x;
    else if (x === null) out[key] = '';
    else throw typeError(k, `${field}.${key}`, 'a string');
  }
  return out;
}

export function listField(k: Kustomization, field: string): JsonValue[] {
  const v = k.raw[field];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw typeError(k, field, 'a list');
  return v;
}

export function typeError(k: Kustomization, field: string, want: string): RenderError {
  const top = field.split(/[.[]/)[0]!;
  return new RenderError('KUSTOMIZE_INVALID', `${k.file}: invalid Kustomization: field ${field} must be ${want}`, {
    file: k.file,
    line: k.lines.get(top),
    field,
  });
}
