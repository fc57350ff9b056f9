import { isObject, type JsonValue } from '../model/json.js';
import type { FieldSpec } from '../config/transformer-config.js';
import type { ResMap } from '../resource/resmap.js';
import { applyFieldSpec } from './fieldspec.js';

export interface ImageRule {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
  tagSuffix?: string;
}

/** Splits `registry/name:tag@digest` the way kustomize does (a port in the registry is not a tag). */
export function splitImage(image: string): { name: string; tag: string; digest: string } {
  const slash = image.indexOf('/');
  const offset = slash > 0 ? slash : 0;
  const search = image.slice(offset);
  let id = search.indexOf('@');
  let ic = search.indexOf(':');
  if (ic < 0 && id < 0) return { name: image, tag: '', digest: '' };
  if (id >= 0 && (id < ic || ic < 0)) {
    id += offset;
    return { name: image.slice(0, id), tag: '', digest: image.slice(id + 1) };
  }
  if (id >= 0 && ic >= 0) {
    id += offset;
    ic += offset;
    return { name: image.slice(0, ic), tag: image.slice(ic + 1, id), digest: image.slice(id + 1) };
  }
  ic += offset;
  return { name: image.slice(0, ic), tag: image.slice(ic + 1), digest: '' };
}

const matchers = new Map<string, RegExp | null>();

function isMatched(value: string, name: string): boolean {
  let re = matchers.get(name);
  if (re === undefined) {
    try {
      re = new RegExp(`^${name}(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$`);
    } catch {
      re = null;
    }
    matchers.set(name, re);
  }
  return re !== null && re.test(value);
}

export function updateImage(value: string, rule: ImageRule): string | undefined {
  if (!isMatched(value, rule.name)) return undefined;
  let { name, tag, digest } = splitImage(value);
  if (rule.newName) name = rule.newName;
  if (rule.newTag && rule.digest) {
    tag = rule.newTag;
    digest = rule.digest;
  } else if (rule.newTag) {
    tag = rule.newTag;
    digest = '';
  } else if (rule.digest) {
    tag = '';
    digest = rule.digest;
  } else if (rule.tagSuffix) {
    tag += rule.tagSuffix;
    digest = '';
  }
  if (tag) name += `:${tag}`;
  if (digest) name += `@${digest}`;
  return name;
}

/** Legacy pass: any `containers` / `initContainers` list anywhere in the object. */
function walkContainers(v: JsonValue, rule: ImageRule): void {
  if (Array.isArray(v)) {
    for (const x of v) walkContainers(x, rule);
    return;
  }
  if (!isObject(v)) return;
  for (const k of Object.keys(v)) {
    const child = v[k]!;
    walkContainers(child, rule);
    if ((k === 'containers' || k === 'initContainers') && Array.isArray(child)) {
      for (const c of child) {
        if (!isObject(c) || typeof c['image'] !== 'string') continue;
        const next = updateImage(c['image'], rule);
        if (next !== undefined) c['image'] = next;
      }
    }
  }
}

export function setImages(m: ResMap, rules: ImageRule[], specs: FieldSpec[]): void {
  for (const rule of rules) {
    for (const r of m.list) {
      if (r.kind === 'CustomResourceDefinition') continue;
      walkContainers(r.obj, rule);
      for (const spec of specs) {
        applyFieldSpec(r, spec, undefined, (slot) => {
          const v = slot.get();
          if (typeof v !== 'string') return;
          const next = updateImage(v, rule);
          if (next !== undefined) slot.set(next);
        });
      }
    }
  }
}
