import { RenderError } from '../../../errors/index.js';
import { isObject, setKey, type JsonObject, type JsonValue } from '../model/json.js';
import type { Loader } from '../load/loader.js';
import { Resource, type Behavior } from '../resource/resource.js';
import { encodeBase64Wrapped, loadPairs } from './kv.js';

export interface GeneratorOptions {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  disableNameSuffixHash?: boolean;
  immutable?: boolean;
}

export interface GeneratorArgs {
  name: string;
  namespace: string;
  behavior: string;
  literals: string[];
  files: string[];
  envs: string[];
  options: GeneratorOptions | undefined;
  type: string;
}

/** generatorOptions merged under a generator's own options: local values win, `true`s are sticky. */
export function mergeOptions(
  local: GeneratorOptions | undefined,
  global: GeneratorOptions | undefined,
): GeneratorOptions | undefined {
  if (!global) return local;
  const out: GeneratorOptions = { ...(local ?? {}) };
  if (global.labels) out.labels = { ...global.labels, ...(out.labels ?? {}) };
  if (global.annotations) out.annotations = { ...global.annotations, ...(out.annotations ?? {}) };
  if (global.disableNameSuffixHash) out.disableNameSuffixHash = true;
  if (global.immutable) out.immutable = true;
  return out;
}

/** kustomize's NewGenerationBehavior: any other word (`add`, a typo) is left unspecified, i.e. create. */
function behaviorOf(b: string): Behavior {
  return b === 'create' || b === 'merge' || b === 'replace' ? b : 'unspecified';
}

export function generate(ldr: Loader, kind: 'ConfigMap' | 'Secret', a: GeneratorArgs, from: string): Resource {
  if (!a.name)
    throw new RenderError('KUSTOMIZE_GENERATOR', `${from}: a ${kind.toLowerCase()} must have a name`, { file: from });
  const meta: JsonObject = { name: a.name };
  if (a.namespace) meta['namespace'] = a.namespace;
  const obj: JsonObject = { apiVersion: 'v1', kind, metadata: meta };
  if (kind === 'Secret') obj['type'] = a.type || 'Opaque';
  const inputs: string[] = [];
  const previous = ldr.onRead;
  ldr.onRead = (path) => inputs.push(path);
  let pairs;
  try {
    pairs = loadPairs(ldr, a, a.name, from);
  } finally {
    ldr.onRead = previous;
  }
  pairs.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  if (kind === 'Secret') {
    const data: JsonObject = {};
    for (const p of pairs) setKey(data, p.key, encodeBase64Wrapped(p.bytes ?? Buffer.from(p.value, 'utf8')));
    obj['data'] = data;
  } else {
    for (const p of pairs) {
      const field = p.bytes ? 'binaryData' : 'data';
      if (!isObject(obj[field])) obj[field] = {};
      setKey(obj[field] as JsonObject, p.key, p.bytes ? encodeBase64Wrapped(p.bytes) : p.value);
    }
  }
  const o = a.options;
  if (o?.labels && Object.keys(o.labels).length > 0) meta['labels'] = sortedMap(o.labels);
  if (o?.annotations && Object.keys(o.annotations).length > 0) meta['annotations'] = sortedMap(o.annotations);
  if (o?.immutable) obj['immutable'] = true;
  const r = new Resource(obj, { file: from });
  r.needsHash = !o?.disableNameSuffixHash;
  r.inputs = inputs;
  r.behavior = behaviorOf(a.behavior);
  return r;
}

function sortedMap(m: Record<string, string>): JsonObject {
  const out: JsonObject = {};
  for (const k of Object.keys(m).sort()) setKey(out, k, m[k]!);
  return out;
}

export function parseGeneratorArgs(v: JsonValue, from: string, kind: 'ConfigMap' | 'Secret'): GeneratorArgs {
  if (!isObject(v))
    throw new RenderError(
      'KUSTOMIZE_INVALID',
      `${from}: each ${kind === 'Secret' ? 'secretGenerator' : 'configMapGenerator'} entry must be a map`,
      { file: from },
    );
  const s = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : '');
  const list = (k: string): string[] =>
    Array.isArray(v[k]) ? (v[k] as JsonValue[]).map((x) => (typeof x === 'string' ? x : String(x))) : [];
  const envs = list('envs');
  if (s('env')) envs.push(s('env'));
  return {
    name: s('name'),
    namespace: s('namespace'),
    behavior: s('behavior'),
    literals: list('literals'),
    files: list('files'),
    envs,
    options: parseOptions(v['options']),
    type: s('type'),
  };
}

export function parseOptions(v: JsonValue | undefined): GeneratorOptions | undefined {
  if (!isObject(v)) return undefined;
  const map = (x: JsonValue | undefined): Record<string, string> | undefined => {
    if (!isObject(x)) return undefined;
    const out: Record<string, string> = {};
    for (const [k, val] of Object.entries(x)) out[k] = typeof val === 'string' ? val : String(val);
    return out;
  };
  return {
    labels: map(v['labels']),
    annotations: map(v['annotations']),
    disableNameSuffixHash: v['disableNameSuffixHash'] === true,
    immutable: v['immutable'] === true,
  };
}
