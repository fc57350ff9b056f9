import { createHash } from 'node:crypto';
import { getPath, isObject, type JsonObject, type JsonValue } from '../model/json.js';

/**
 * The content hash kustomize appends to generated names: sha256 over a Go-encoding/json
 * rendering of {kind, name, data[, binaryData]} (Secrets add type and stringData), first ten
 * hex digits, with 0/1/3/a/e swapped for letters so the suffix never looks like a number.
 */
export function nameHash(obj: JsonObject): string {
  const kind = obj['kind'];
  const field = (p: string[]): JsonValue => {
    const v = getPath(obj, p);
    return v === undefined || v === null ? '' : v;
  };
  // kustomize looks the name up as a single field called "metadata/name", which never exists,
  // so the name always hashes as "". Reproduced on purpose: the suffix must match.
  const m: JsonObject = { kind: kind as string, name: '', data: field(['data']) };
  if (kind === 'Secret') {
    m['type'] = field(['type']);
    if (isObject(getPath(obj, ['stringData']))) m['stringData'] = field(['stringData']);
  } else if (isObject(getPath(obj, ['binaryData']))) {
    m['binaryData'] = field(['binaryData']);
  }
  return encode(createHash('sha256').update(goJson(m)).digest('hex'));
}

function encode(hex: string): string {
  const map: Record<string, string> = { '0': 'g', '1': 'h', '3': 'k', a: 'm', e: 't' };
  return [...hex.slice(0, 10)].map((c) => map[c] ?? c).join('');
}

/** encoding/json output: sorted keys, no spaces, HTML-safe escapes (<, >, & and U+2028/9). */
export function goJson(v: JsonValue): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return goString(v);
  if (typeof v === 'number' || typeof v === 'boolean') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  const keys = Object.keys(v).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return `{${keys.map((k) => `${goString(k)}:${goJson(v[k]!)}`).join(',')}}`;
}

function goString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
