import { createHmac, randomBytes } from 'node:crypto';
import type { Resource } from '../model/resource.js';

/** What a masked value is replaced with in free text. */
export const MASK = '********';

/**
 * Values shorter than this are not masked: replacing every "1" or "true" in a log would make
 * output unreadable and hide nothing. SOPS values this short are rare; a known gap.
 */
export const MIN_MASK_LENGTH = 4;

/**
 * Every secret value this process has seen, and `mask(text)` that replaces them anywhere in a
 * string. Learns decrypted SOPS values and Secret data (plain, base64, JSON-escaped and each
 * long line of multi-line values, since a log may show any of those forms).
 */
export class SecretRegistry {
  private readonly values = new Set<string>();
  private pattern: RegExp | null | undefined;

  add(value: string): void {
    for (const form of forms(value)) {
      if (form.length >= MIN_MASK_LENGTH && !this.values.has(form)) {
        this.values.add(form);
        this.pattern = undefined;
      }
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
    return this.values.size;
  }

  mask(text: string): string {
    if (this.pattern === undefined) this.pattern = this.build();
    return this.pattern ? text.replace(this.pattern, MASK) : text;
  }

  /** Masks every string inside a JSON-like value (records, API responses). */
  maskDeep<T>(value: T): T {
    return mapStrings(value, (s) => this.mask(s)) as T;
  }

  private build(): RegExp | null {
    if (this.values.size === 0) return null;
    // Longest first so a value that contains another is replaced whole.
    const sorted = [...this.values].sort((a, b) => b.length - a.length);
    return new RegExp(sorted.map(escapeRegExp).join('|'), 'g');
  }
}

function forms(value: string): string[] {
  const out = [value, Buffer.from(value, 'utf8').toString('base64')];
  const json = JSON.stringify(value).slice(1, -1);
  if (json !== value) out.push(json);
  if (value.includes('\n')) for (const line of value.split('\n')) if (line.trim().length >= 8) out.push(line.trim());
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function mapStrings(v: unknown, f: (s: string) => string): unknown {
  if (typeof v === 'string') return f(v);
  if (Array.isArray(v)) return v.map((x) => mapStrings(x, f));
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mapStrings(x, f)]));
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
   * Key for the fingerprint in the marker. Defaults to a per-process random key, so markers
   * compare within one run (a diff says "changed") but cannot be brute-forced offline; pass a
   * stable key when markers must compare across runs.
   */
  key?: Uint8Array;
  /** Also mask known values in every other string of the resource (any kind). */
  registry?: SecretRegistry;
}

/** `<redacted sha256:abcd1234>`: enough to tell two values apart, nothing about either. */
export function redactedMarker(value: string, key: Uint8Array = processKey): string {
  return `<redacted sha256:${createHmac('sha256', key).update(value, 'utf8').digest('hex').slice(0, 8)}>`;
}

/**
 * A copy of the resource safe to show: a Secret's data and stringData values become markers
 * (data is fingerprinted on its decoded value, so moving a value between data and stringData
 * is not a change); other strings are masked with the registry when one is given.
 */
export function redactResource<T extends Resource>(resource: T, options: RedactOptions = {}): T {
  const copy = structuredClone(resource) as Record<string, unknown>;
  if (isSecret(resource)) {
    for (const field of ['data', 'stringData'] as const) {
      const m = copy[field];
      if (!m || typeof m !== 'object') continue;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(m as Record<string, unknown>)) {
        const plain = typeof v === 'string' && field === 'data' ? Buffer.from(v, 'base64').toString('utf8') : String(v);
        out[k] = redactedMarker(plain, options.key);
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
          options.key,
        ),
      };
    }
  }
  return (options.registry ? options.registry.maskDeep(copy) : copy) as T;
}
