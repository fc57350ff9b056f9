import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Comment, TimeValue, type Leaf } from './tree.js';

/**
 * SOPS value encryption: AES-256-GCM with a 32-byte nonce and the value's key path as
 * additional data, serialised as `ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]`.
 */
const ENC_RE = /^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]/;
const NONCE_SIZE = 32;

export type ValueType = 'str' | 'int' | 'float' | 'bool' | 'bytes' | 'time' | 'comment';

export function isEncryptedValue(s: unknown): s is string {
  return typeof s === 'string' && ENC_RE.test(s);
}

/** Thrown for a value that fails authentication; the caller turns it into a SecretError. */
export class ValueAuthError extends Error {}
export class ValueFormatError extends Error {}

export function encryptValue(plain: Leaf | Comment, key: Uint8Array, additionalData: string): string {
  const [type, bytes] = toTyped(plain);
  if (bytes.length === 0 && (type === 'str' || type === 'comment')) return '';
  const iv = randomBytes(NONCE_SIZE);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(additionalData, 'utf8'));
  const data = Buffer.concat([c.update(bytes), c.final()]);
  const tag = c.getAuthTag();
  return `ENC[AES256_GCM,data:${data.toString('base64')},iv:${iv.toString('base64')},tag:${tag.toString('base64')},type:${type}]`;
}

export interface Decrypted {
  value: Leaf | Comment;
  /** The bytes SOPS feeds the MAC for this value (its canonical text form). */
  macBytes: Buffer;
}

export function decryptValue(ciphertext: string, key: Uint8Array, additionalData: string): Decrypted {
  if (ciphertext === '') return { value: '', macBytes: Buffer.alloc(0) };
  const m = ENC_RE.exec(ciphertext);
  if (!m) throw new ValueFormatError('value is not in the SOPS ENC[AES256_GCM,…] format');
  const [data, iv, tag] = [m[1]!, m[2]!, m[3]!].map((s) => Buffer.from(s, 'base64'));
  const type = m[4]!;
  let plain: Buffer;
  try {
    const d = createDecipheriv('aes-256-gcm', key, iv!);
    d.setAAD(Buffer.from(additionalData, 'utf8'));
    d.setAuthTag(tag!);
    plain = Buffer.concat([d.update(data!), d.final()]);
  } catch {
    throw new ValueAuthError('AES-GCM authentication failed');
  }
  const text = plain.toString('utf8');
  switch (type) {
    case 'str':
    case 'bytes':
      return { value: text, macBytes: plain };
    case 'comment':
      return { value: new Comment(text), macBytes: plain };
    case 'time':
      return { value: new TimeValue(text), macBytes: plain };
    case 'int': {
      if (!/^[+-]?\d+$/.test(text)) throw new ValueFormatError('int value does not parse');
      const v = BigInt(text);
      return { value: v, macBytes: Buffer.from(v.toString()) };
    }
    case 'float': {
      const v = parseGoFloat(text);
      return { value: v, macBytes: Buffer.from(goFormatFloat(v)) };
    }
    case 'bool': {
      const v = parseGoBool(text);
      return { value: v, macBytes: Buffer.from(v ? 'True' : 'False') };
    }
    default:
      throw new ValueFormatError(`unknown value type "${type}"`);
  }
}

/** SOPS `ToBytes`: the text a leaf contributes to the MAC (and its plaintext when encrypted). */
export function leafBytes(v: Leaf | Comment): Buffer {
  return toTyped(v)[1];
}

function toTyped(v: Leaf | Comment): [ValueType, Buffer] {
  if (v instanceof Comment) return ['comment', Buffer.from(v.value, 'utf8')];
  if (v instanceof TimeValue) return ['time', Buffer.from(v.text, 'utf8')];
  switch (typeof v) {
    case 'string':
      return ['str', Buffer.from(v, 'utf8')];
    case 'bigint':
      return ['int', Buffer.from(v.toString())];
    case 'number':
      return ['float', Buffer.from(goFormatFloat(v))];
    case 'boolean':
      // SOPS writes Python-style booleans for compatibility with its first implementation.
      return ['bool', Buffer.from(v ? 'True' : 'False')];
    default:
      throw new ValueFormatError('null values are never encrypted');
  }
}

function parseGoFloat(s: string): number {
  const lower = s.toLowerCase();
  if (lower === 'nan') return NaN;
  if (/^[+]?inf(inity)?$/.test(lower)) return Infinity;
  if (/^-inf(inity)?$/.test(lower)) return -Infinity;
  const v = Number(s.replaceAll('_', ''));
  if (s.trim() === '' || Number.isNaN(v)) throw new ValueFormatError('float value does not parse');
  return v;
}

function parseGoBool(s: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  throw new ValueFormatError('bool value does not parse');
}

/** Go's strconv.FormatFloat(v, 'f', -1, 64): shortest round-trip digits, never an exponent. */
export function goFormatFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Object.is(v, -0)) return '-0';
  const s = v.toString();
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign, lead, frac = '', expText] = m;
  const digits = lead! + frac;
  const exp = Number(expText);
  const point = 1 + exp;
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}
