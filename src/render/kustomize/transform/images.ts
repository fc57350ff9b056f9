import { isObject, type JsonValue } from '../model/json.js';
import type { FieldSpec } from '../config/transformer-config.js';
import type { FieldSource } from '../resource/provenance.js';
import type { ResMap } from '../resource/resmap.js';
import type { Resource } from '../resource/resource.js';
import { applyFieldSpec } from './fieldspec.js';

export interface ImageRule {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
  tagSuffix?: string;
  /** The line of a field of the rule's kustomization entry (`name`, `newName`, `newTag`, `digest`…). */
  sourceOf?: (field: keyof Omit<ImageRule, 'sourceOf'>) => FieldSource;
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

type Changed = (at: () => (string | number)[], before: string, after: string) => void;

/** Legacy pass: any `containers` / `initContainers` list anywhere in the object. */
function walkContainers(v: JsonValue, rule: ImageRule, at: (string | number)[], changed: Changed): void {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i]!;
      if (x === null || typeof x !== 'object') continue;
      at.push(i);
      walkContainers(x, rule, at, changed);
      at.pop();
    }
    return;
  }
  if (!isObject(v)) return;
  for (const k of Object.keys(v)) {
    const child = v[k]!;
    if (child === null || typeof child !== 'object') continue;
    at.push(k);
    walkContainers(child, rule, at, changed);
    if ((k === 'containers' || k === 'initContainers') && Array.isArray(child)) {
      child.forEach((c, i) => {
        if (!isObject(c) || typeof c['image'] !== 'string') return;
        const before = c['image'];
        const next = updateImage(before, rule);
        if (next === undefined) return;
        c['image'] = next;
        changed(() => [...at, i, 'image'], before, next);
      });
    }
    at.pop();
  }
}

export function setImages(m: ResMap, rules: ImageRule[], specs: FieldSpec[]): void {
  for (const rule of rules) {
    for (const r of m.list) {
      if (r.kind === 'CustomResourceDefinition') continue;
      const changed = noteImage(r, rule);
      walkContainers(r.obj, rule, [], changed);
      for (const spec of specs) {
        applyFieldSpec(r, spec, undefined, (slot, at) => {
          const v = slot.get();
          if (typeof v !== 'string') return;
          const next = updateImage(v, rule);
          if (next === undefined) return;
          slot.set(next);
          changed(() => [...at], v, next);
        });
      }
    }
  }
}

/**
 * Notes the image field a rule rewrote at the line of the rule that made the difference: the
 * new name when only the name changed, else the digest, tag or suffix it set.
 */
function noteImage(r: Resource, rule: ImageRule): Changed {
  const sourceOf = rule.sourceOf;
  if (!sourceOf) return () => undefined;
  return (at, before, after) => {
    // A rule that leaves the value as it was (the second pass over a field the first pass
    // rewrote, or a base that already says the same) did not produce it.
    if (before === after) return;
    const was = splitImage(before);
    const now = splitImage(after);
    let field: Parameters<typeof sourceOf>[0] = 'name';
    if (rule.newName && was.name !== now.name && was.tag === now.tag && was.digest === now.digest) field = 'newName';
    else if (rule.digest && was.digest !== now.digest) field = 'digest';
    else if (rule.newTag) field = 'newTag';
    else if (rule.tagSuffix) field = 'tagSuffix';
    else if (rule.newName) field = 'newName';
    r.provenance.note(at(), sourceOf(field));
  };
}
