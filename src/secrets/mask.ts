import { randomBytes } from 'node:crypto';
import type { Resource } from '../model/resource.js';
import { base64Forms, escapedFormsPattern } from './escapes.js';
import { fingerprint } from './fingerprint.js';

/**
 * Values shorter than this are not masked: replacing every "1" or "true" in a log would make
 * output unreadable and hide nothing. SOPS values this short are rare; a known gap.
 */
export const MIN_MASK_LENGTH = 4;
/** Texts this long are remembered masked (API answers of thousands of scopes), shorter ones are cheap to scan. */
const REMEMBERED_LENGTH = 64 * 1024;

/** Not preceded by an odd number of backslashes. */
const NOT_ESCAPED = '(?<!(?<!\\\\)(?:\\\\\\\\)*\\\\)';

/** Base64 fragments shorter than this could occur by chance in unrelated encoded text. */
const MIN_BASE64_LENGTH = 8;

interface Known {
  value: string;
  fingerprint: string;
}

/**
 * Every secret value this process has seen, and `mask(text)` that replaces each of them with
 * its fingerprint (`‹secret:sha256:…›`) wherever it sits in a string and however it is
 * escaped there: raw, JSON or YAML escaped, with control characters as `\0`, `\x00` or
 * `\u0000`, percent-encoded, base64 at any alignment. Output boundaries (the API, the store,
 * the log, notifications, the CLI) pass what they emit through one of these.
 */
export class SecretRegistry {
  private readonly known = new Map<string, Known>();
  private pattern: { regex: RegExp; groups: Known[] } | null | undefined;
  /** The last large text masked, with its pattern: the whole status is masked many times a second unchanged. */
  private last: { pattern: object; text: string; masked: string } | undefined;
  readonly key: Uint8Array;

  /** `key` keys the fingerprints; a random one per registry unless outputs must compare across runs. */
  constructor(options: { key?: Uint8Array } = {}) {
    this.key = options.key ?? randomBytes(32);
  }

  add(value: string): void {
    const parts = [value];
    // Each long line of a multi-line value (a key file, a config) may be printed alone.
    if (value.includes('\n'))
      for (const line of value.split('\n')) if (line.trim().length >= 8) parts.push(line.trim());
    for (const v of parts) {
      if (v.length < MIN_MASK_LENGTH || this.known.has(v)) continue;
      this.known.set(v, { value: v, fingerprint: fingerprint(v, this.key) });
      this.pattern = undefined;
    }
  }

  addAll(values: Iterable<string>): void {
    for (const v of values) this.add(v);
  }

  /** Learns the values of a Kubernetes Secret (decoding `data`); other kinds are ignored. */
  addResource(resource: Resource): void {
    if (!isSecret(resource)) return;
    for (const [, v] of secretEntries(resource)) this.add(v);
  }

  get size(): number {
    return this.known.size;
  }

  /** The fingerprint shown for a value, whether or not it was learnt. */
  fingerprint(value: string): string {
    return fingerprint(value, this.key);
  }

  mask(text: string): string {
    if (this.pattern === undefined) this.pattern = this.build();
    const p = this.pattern;
    if (!p || text.length === 0) return text;
    if (this.last?.pattern === p && this.last.text === text) return this.last.masked;
    const masked = text.replace(p.regex, (...args: unknown[]) => {
      // One capture group per known value; the defined one says which value matched.
      for (let i = 0; i < p.groups.length; i++) if (args[i + 1] !== undefined) return p.groups[i]!.fingerprint;
      return fingerprint(String(args[0]), this.key);
    });
    if (text.length >= REMEMBERED_LENGTH) this.last = { pattern: p, text, masked };
    return masked;
  }

  /** Masks every string inside a JSON-like value (records, API responses), keys included. */
  maskDeep<T>(value: T): T {
    return mapStrings(value, (s) => this.mask(s)) as T;
  }

  private build(): { regex: RegExp; groups: Known[] } | null {
    if (this.known.size === 0) return null;
    // Longest first so a value that contains another is replaced whole.
    const groups = [...this.known.values()].sort((a, b) => b.value.length - a.value.length);
    const sources = groups.map((k) => {
      const b64 = base64Forms(k.value, MIN_BASE64_LENGTH).map((f) => f.replace(/[+/=]/g, '\\$&'));
      return `(${[escapedFormsPattern(k.value), ...b64].join('|')})`;
    });
    // Never from the middle of an escape: in `\\nabc` the text holds a newline and `abc`,
    // not `nabc`, and a fingerprint put after the backslash would break the JSON around it.
    return { regex: new RegExp(`${NOT_ESCAPED}(?:${sources.join('|')})`, 'g'), groups };
  }
}

function mapStrings(v: unknown, f: (s: string) => string): unknown {
  if (typeof v === 'string') return f(v);
  if (Array.isArray(v)) return v.map((x) => mapStrings(x, f));
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [f(k), mapStrings(x, f)]));
  }
  return v;
}

export function isSecret(r: Pick<Resource, 'apiVersion' | 'kind'>): boolean {
  return r.kind === 'Secret' && (r.apiVersion === 'v1' || r.apiVersion === undefined);
}

/** The decoded string values of a Secret's data and stringData. */
export function secretEntries(r: Resource): [string, string][] {
  const out: [string, string][] = [];
  const data = r['data'];
  if (data && typeof data === 'object') {
    for (const [k, v] of Object.entries(data))
      if (typeof v === 'string') out.push([k, Buffer.from(v, 'base64').toString('utf8')], [k, v]);
  }
  const sd = r['stringData'];
  if (sd && typeof sd === 'object')
    for (const [k, v] of Object.entries(sd)) if (typeof v === 'string') out.push([k, v]);
  return out;
}

const processKey = randomBytes(32);

export interface RedactOptions {
  /**
   * Key for the fingerprints. Defaults to the registry's key when one is given, else a
   * per-process random key, so fingerprints compare within one run (a diff says "changed")
   * but cannot be brute-forced offline.
   */
  key?: Uint8Array;
  /** Also mask known values in every other string of the resource (any kind). */
  registry?: SecretRegistry;
}

/** The fingerprint a redacted value is shown as; see fingerprint.ts for the format. */
export function redactedMarker(value: string, key: Uint8Array = processKey): string {
  return fingerprint(value, key);
}

/**
 * A copy of the resource safe to show: a Secret's data and stringData values become
 * fingerprints (data is fingerprinted on its decoded value, so moving a value between data and
 * stringData is not a change); other strings are masked with the registry when one is given.
 */
export function redactResource<T extends Resource>(resource: T, options: RedactOptions = {}): T {
  const key = options.key ?? options.registry?.key ?? processKey;
  const copy = structuredClone(resource) as Record<string, unknown>;
  if (isSecret(resource)) {
    for (const field of ['data', 'stringData'] as const) {
      const m = copy[field];
      if (!m || typeof m !== 'object') continue;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(m as Record<string, unknown>)) {
        const plain = typeof v === 'string' && field === 'data' ? Buffer.from(v, 'base64').toString('utf8') : String(v);
        out[k] = redactedMarker(plain, key);
      }
      copy[field] = out;
    }
    const meta = copy['metadata'] as Record<string, unknown>;
    const ann = meta['annotations'] as Record<string, string> | undefined;
    // kubectl keeps the whole previous object, values included, in this annotation.
    if (ann?.['kubectl.kubernetes.io/last-applied-configuration']) {
      meta['annotations'] = {
        ...ann,
        'kubectl.kubernetes.io/last-applied-configuration': redactedMarker(
          ann['kubectl.kubernetes.io/last-applied-configuration'],
          key,
        ),
      };
    }
  }
  return (options.registry ? options.registry.maskDeep(copy) : copy) as T;
}
