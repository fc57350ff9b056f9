import { RenderError } from '../../../errors/index.js';
import { isObject, type JsonValue } from '../model/json.js';
import { gvkSelected, type Gvk } from '../resource/gvk.js';
import { DEFAULT_FIELD_SPECS } from './default-field-specs.js';
import { readDefaultSpecs } from './default-specs-reader.js';
import { gvkLess } from '../resource/order.js';

/** Where a transformer looks: a path like `spec/template/metadata/labels` for some kinds. */
export interface FieldSpec {
  gvk: Gvk;
  path: string;
  create: boolean;
}

export interface NameBackRef {
  gvk: Gvk;
  referrers: FieldSpec[];
}

export interface TransformerConfig {
  namePrefix: FieldSpec[];
  nameSuffix: FieldSpec[];
  namespace: FieldSpec[];
  commonLabels: FieldSpec[];
  labels: FieldSpec[];
  templateLabels: FieldSpec[];
  commonAnnotations: FieldSpec[];
  nameReference: NameBackRef[];
  varReference: FieldSpec[];
  images: FieldSpec[];
  replicas: FieldSpec[];
}

const FS_KEYS = [
  'namePrefix',
  'nameSuffix',
  'namespace',
  'commonLabels',
  'labels',
  'templateLabels',
  'commonAnnotations',
  'varReference',
  'images',
  'replicas',
] as const;

export function emptyConfig(): TransformerConfig {
  return {
    namePrefix: [],
    nameSuffix: [],
    namespace: [],
    commonLabels: [],
    labels: [],
    templateLabels: [],
    commonAnnotations: [],
    nameReference: [],
    varReference: [],
    images: [],
    replicas: [],
  };
}

export function parseFieldSpec(v: JsonValue, file: string): FieldSpec {
  if (!isObject(v)) throw new RenderError('KUSTOMIZE_CONFIG', `${file}: a field spec must be a map`, { file });
  const s = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : '');
  return {
    gvk: { group: s('group'), version: s('version'), kind: s('kind') },
    path: s('path'),
    create: v['create'] === true,
  };
}

export function parseFieldSpecs(v: JsonValue | undefined, file: string): FieldSpec[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new RenderError('KUSTOMIZE_CONFIG', `${file}: expected a list of field specs`, { file });
  return v.map((x) => parseFieldSpec(x, file));
}

export function configFromValue(v: JsonValue, file: string): TransformerConfig {
  const c = emptyConfig();
  if (!isObject(v)) return c;
  for (const k of FS_KEYS) c[k] = parseFieldSpecs(v[k], file);
  const nr = v['nameReference'];
  if (Array.isArray(nr)) {
    for (const e of nr) {
      if (!isObject(e)) continue;
      const s = (k: string) => (typeof e[k] === 'string' ? (e[k] as string) : '');
      c.nameReference.push({
        gvk: { group: s('group'), version: s('version'), kind: s('kind') },
        referrers: parseFieldSpecs(e['fieldSpecs'], file),
      });
    }
  }
  return c;
}

function sameSpec(a: FieldSpec, b: FieldSpec): boolean {
  return gvkSelected(a.gvk, b.gvk) && a.path === b.path;
}

export function mergeFieldSpecs(into: FieldSpec[], more: FieldSpec[]): FieldSpec[] {
  const out = [...into];
  for (const x of more) {
    const found = out.find((y) => sameSpec(y, x));
    if (found) {
      if (found.create !== x.create)
        throw new RenderError('KUSTOMIZE_CONFIG', `conflicting fieldspecs for path ${x.path}`);
      continue;
    }
    out.push(x);
  }
  return out;
}

function gvkEq(a: Gvk, b: Gvk): boolean {
  return a.group === b.group && a.version === b.version && a.kind === b.kind;
}

const bySpecGvk = (a: { gvk: Gvk }, b: { gvk: Gvk }) => (gvkLess(a.gvk, b.gvk) ? -1 : gvkLess(b.gvk, a.gvk) ? 1 : 0);

export function mergeConfig(a: TransformerConfig, b: TransformerConfig): TransformerConfig {
  const c = emptyConfig();
  for (const k of FS_KEYS) c[k] = mergeFieldSpecs(a[k], b[k]).sort(bySpecGvk);
  const refs = a.nameReference.map((r) => ({ gvk: r.gvk, referrers: [...r.referrers] }));
  for (const r of b.nameReference) {
    const found = refs.find((x) => gvkEq(x.gvk, r.gvk));
    if (found) found.referrers = mergeFieldSpecs(found.referrers, r.referrers);
    else refs.push({ gvk: r.gvk, referrers: [...r.referrers] });
  }
  c.nameReference = refs.sort(bySpecGvk);
  return c;
}

let defaults: TransformerConfig | undefined;

export function defaultConfig(): TransformerConfig {
  if (!defaults) {
    defaults = mergeConfig(
      emptyConfig(),
      configFromValue(readDefaultSpecs(DEFAULT_FIELD_SPECS), 'builtin field specs'),
    );
  }
  return defaults;
}
