import { RenderError } from '../../../errors/index.js';
import { goParseIntBase0, isTimestamp } from '../emit/scalar.js';
import type { JsonValue } from '../model/json.js';

/**
 * go-yaml v3's implicit typing of plain scalars (resolve.go). Unlike YAML 1.2's core schema
 * it reads `0644` as octal and accepts `_` in numbers; unlike YAML 1.1 it leaves `yes`/`on`
 * as strings. Getting this right matters because the printed form depends on the type.
 */
const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const TRUE = new Set(['true', 'True', 'TRUE']);
const FALSE = new Set(['false', 'False', 'FALSE']);
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

export function resolvePlain(s: string): JsonValue {
  if (NULLS.has(s)) return null;
  if (TRUE.has(s)) return true;
  if (FALSE.has(s)) return false;
  const c = s[0]!;
  if (c === '.') {
    if (/^\.(inf|Inf|INF|nan|NaN|NAN)$/.test(s)) return s; // JSON cannot carry these; keep the text
    return /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(s) ? Number(s) : s;
  }
  if (c === '+' || c === '-' || (c >= '0' && c <= '9')) {
    if (/^[-+]\.(inf|Inf|INF)$/.test(s)) return s;
    if (isTimestamp(s)) return toRfc3339(s);
    const plain = s.replace(/_/g, '');
    const i = goParseIntBase0(plain);
    if (i !== undefined) return Number(i);
    if (YAML_STYLE_FLOAT.test(plain)) return Number(plain);
    const bin = /^(-?)0b([01]+)$/.exec(plain);
    if (bin) return Number((bin[1] === '-' ? -1n : 1n) * BigInt(`0b${bin[2]}`));
  }
  return s;
}

export function resolveTagged(tag: string, raw: string, file: string): JsonValue {
  const short = tag.replace(/^tag:yaml\.org,2002:/, '!!');
  switch (short) {
    case '!!str':
    case '!!binary':
      return raw;
    case '!!null':
      return null;
    case '!!bool':
    case '!!int':
    case '!!float': {
      const v = resolvePlain(raw);
      const ok =
        (short === '!!bool' && typeof v === 'boolean') ||
        (short !== '!!bool' && typeof v === 'number' && (short === '!!float' || Number.isInteger(v)));
      if (!ok) throw new RenderError('YAML_INVALID', `${file}: cannot decode \`${raw}\` as a ${short}`, { file });
      return v;
    }
    case '!!timestamp':
      return isTimestamp(raw) ? toRfc3339(raw) : raw;
    default:
      return raw;
  }
}

/** How Go's encoding/json prints a time.Time parsed by go-yaml: RFC 3339 with nanoseconds trimmed. */
function toRfc3339(s: string): string {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[Tt ](\d{1,2}):(\d{1,2}):(\d{1,2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?)?$/.exec(s);
  if (!m) return s;
  const p2 = (x: string | undefined) => (x ?? '0').padStart(2, '0');
  const frac = m[7] ? m[7].replace(/0+$/, '') : '';
  const zone = m[8] ?? 'Z';
  return `${m[1]}-${p2(m[2])}-${p2(m[3])}T${p2(m[4])}:${p2(m[5])}:${p2(m[6])}${frac === '.' ? '' : frac}${zone}`;
}
