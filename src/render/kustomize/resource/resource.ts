import { deepCopy, getPath, isObject, setKey, type JsonObject, type JsonValue } from '../model/json.js';
import { effectiveNamespace, parseApiVersion, type Gvk, type ResId } from './gvk.js';
import { Provenance, type YamlLines } from './provenance.js';

export type Behavior = 'create' | 'merge' | 'replace' | 'unspecified';

export interface PrevId {
  name: string;
  namespace: string;
  kind: string;
}

export interface OriginInfo {
  path?: string;
  configuredIn?: string;
  configuredBy?: { apiVersion: string; kind: string; name?: string; namespace?: string };
}

/**
 * One resource in flight. kustomize keeps its bookkeeping (earlier names, prefixes added,
 * generator behaviour, hash request) in build annotations it strips before printing; here
 * that bookkeeping lives in fields so the object itself only ever holds user content.
 */
export class Resource {
  obj: JsonObject;
  /** File and line the resource was read from, for messages and RenderedResource.origin. */
  source: { file: string; line?: number } | undefined;
  prev: PrevId[] = [];
  prefixes: string[] = [];
  suffixes: string[] = [];
  behavior: Behavior = 'unspecified';
  needsHash = false;
  /** Files a generator read its data from (tree paths). */
  inputs: string[] = [];
  allowNameChange = false;
  allowKindChange = false;
  refVarNames: string[] = [];
  origin: OriginInfo | undefined;
  transformations: OriginInfo[] = [];
  /** Lines of the file the resource was read from, for fields nothing in the build rewrote. */
  lines: YamlLines | undefined;
  /** Which kustomization or patch wrote which field, for findings about the built resource. */
  provenance = new Provenance();

  constructor(obj: JsonObject, source?: { file: string; line?: number }) {
    this.obj = obj;
    this.source = source;
  }

  copy(): Resource {
    const r = new Resource(deepCopy(this.obj), this.source);
    r.prev = this.prev.map((p) => ({ ...p }));
    r.prefixes = [...this.prefixes];
    r.suffixes = [...this.suffixes];
    r.behavior = this.behavior;
    r.needsHash = this.needsHash;
    r.inputs = [...this.inputs];
    r.allowNameChange = this.allowNameChange;
    r.allowKindChange = this.allowKindChange;
    r.refVarNames = [...this.refVarNames];
    r.origin = this.origin;
    r.transformations = [...this.transformations];
    r.lines = this.lines;
    r.provenance = this.provenance.copy();
    return r;
  }

  get apiVersion(): string {
    return str(this.obj['apiVersion']);
  }

  get kind(): string {
    return str(this.obj['kind']);
  }

  set kind(k: string) {
    this.obj['kind'] = k;
  }

  get name(): string {
    return str(getPath(this.obj, ['metadata', 'name']));
  }

  set name(n: string) {
    this.meta()['name'] = n;
  }

  get namespace(): string {
    return str(getPath(this.obj, ['metadata', 'namespace']));
  }

  set namespace(ns: string) {
    const m = this.meta();
    if (ns === '') delete m['namespace'];
    else m['namespace'] = ns;
  }

  gvk(): Gvk {
    const { group, version } = parseApiVersion(this.apiVersion);
    return { group, version, kind: this.kind };
  }

  curId(): ResId {
    return { gvk: this.gvk(), name: this.name, namespace: this.namespace };
  }

  prevIds(): ResId[] {
    const { group, version } = parseApiVersion(this.apiVersion);
    return this.prev.map((p) => ({ gvk: { group, version, kind: p.kind }, name: p.name, namespace: p.namespace }));
  }

  orgId(): ResId {
    return this.prevIds()[0] ?? this.curId();
  }

  storePreviousId(): void {
    const id = this.curId();
    // kustomize records the effective namespace, so "" is stored as "default".
    this.prev.push({ name: id.name, namespace: effectiveNamespace(id), kind: id.gvk.kind });
  }

  meta(): JsonObject {
    let m = this.obj['metadata'];
    if (!isObject(m)) {
      m = {};
      this.obj['metadata'] = m;
    }
    return m;
  }

  labels(): Record<string, string> {
    return stringMap(getPath(this.obj, ['metadata', 'labels']));
  }

  annotations(): Record<string, string> {
    return stringMap(getPath(this.obj, ['metadata', 'annotations']));
  }

  /** kyaml's SetLabels/SetAnnotations: an empty map removes the field. */
  setStringMap(field: 'labels' | 'annotations', m: Record<string, string>): void {
    const meta = this.meta();
    const keys = Object.keys(m);
    if (keys.length === 0) {
      delete meta[field];
      return;
    }
    const out: JsonObject = {};
    for (const k of keys) setKey(out, k, m[k]!);
    meta[field] = out;
  }

  dataMap(field: 'data' | 'binaryData'): Record<string, string> {
    return stringMap(this.obj[field]);
  }
}

function str(v: JsonValue | undefined): string {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null || typeof v === 'object') return '';
  return String(v);
}

function stringMap(v: JsonValue | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObject(v)) return out;
  for (const k of Object.keys(v)) {
    const x = v[k];
    out[k] =
      typeof x === 'string'
        ? x
        : x === null || x === undefined
          ? ''
          : typeof x === 'object'
            ? JSON.stringify(x)
            : String(x);
  }
  return out;
}
