import { RenderError } from '../../../errors/index.js';
import { isObject, type JsonValue } from '../model/json.js';
import { effectiveNamespace } from '../resource/gvk.js';
import type { Resource } from '../resource/resource.js';

/** A patch or replacement target: every set field is an anchored regular expression. */
export interface Selector {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  labelSelector?: string;
  annotationSelector?: string;
}

export function parseSelector(v: JsonValue | undefined, file: string): Selector | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw new RenderError('KUSTOMIZE_INVALID', `${file}: a target must be a map`, { file });
  const s: Selector = {};
  for (const k of ['group', 'version', 'kind', 'name', 'namespace', 'labelSelector', 'annotationSelector'] as const) {
    const x = v[k];
    if (typeof x === 'string' && x !== '') s[k] = x;
  }
  return s;
}

const cache = new Map<string, RegExp>();
function rx(pattern: string): RegExp {
  let r = cache.get(pattern);
  if (!r) {
    try {
      r = new RegExp(`^(?:${pattern})$`);
    } catch (e) {
      throw new RenderError('KUSTOMIZE_SELECTOR', `invalid regular expression in target: ${pattern}`, { cause: e });
    }
    cache.set(pattern, r);
  }
  return r;
}

function matchOpt(pattern: string | undefined, ...values: string[]): boolean {
  if (pattern === undefined) return true;
  const r = rx(pattern);
  return values.some((v) => r.test(v));
}

export function selects(s: Selector, r: Resource): boolean {
  const cur = r.curId();
  const org = r.orgId();
  if (!matchOpt(s.namespace, effectiveNamespace(org), effectiveNamespace(cur))) return false;
  if (!matchOpt(s.name, org.name, cur.name)) return false;
  const g = r.gvk();
  if (!matchOpt(s.group, g.group) || !matchOpt(s.version, g.version) || !matchOpt(s.kind, g.kind)) return false;
  if (s.labelSelector && !labelSelectorMatches(s.labelSelector, r.labels())) return false;
  if (s.annotationSelector && !labelSelectorMatches(s.annotationSelector, r.annotations())) return false;
  return true;
}

/** Kubernetes label selector syntax: `a=b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`. */
export function labelSelectorMatches(expr: string, labels: Record<string, string>): boolean {
  const reqs = splitRequirements(expr);
  return reqs.every((req) => {
    let m: RegExpExecArray | null;
    if ((m = /^([^\s!=(),]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(req))) {
      const vals = m[3]!
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x !== '');
      const has = Object.prototype.hasOwnProperty.call(labels, m[1]!);
      return m[2] === 'in' ? has && vals.includes(labels[m[1]!]!) : !has || !vals.includes(labels[m[1]!]!);
    }
    if ((m = /^([^\s!=]+)\s*(==|=|!=)\s*(\S*)$/.exec(req))) {
      const has = Object.prototype.hasOwnProperty.call(labels, m[1]!);
      return m[2] === '!=' ? !has || labels[m[1]!] !== m[3] : has && labels[m[1]!] === m[3];
    }
    if ((m = /^!\s*(\S+)$/.exec(req))) return !Object.prototype.hasOwnProperty.call(labels, m[1]!);
    if (/^\S+$/.test(req)) return Object.prototype.hasOwnProperty.call(labels, req);
    throw new RenderError('KUSTOMIZE_SELECTOR', `unable to parse requirement: ${req}`);
  });
}

function splitRequirements(expr: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of expr) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  if (cur.trim() !== '') out.push(cur.trim());
  return out;
}
