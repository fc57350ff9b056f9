/**
 * Regular-expression sources that match a value in the forms output may carry it: raw, JSON
 * or YAML escaped (once or repeatedly: a JSON string inside a JSON string), with control
 * characters as `\0`, `\x00`, `\u0000` or `\e`, percent-encoded, and base64 (standard and
 * URL-safe, whole or at any byte alignment inside a longer encoded text). Matching escape
 * forms character by character covers every mix of them without listing each combination.
 */

const SHORT_ESCAPES: Record<number, string> = {
  0: '0',
  7: 'a',
  8: 'b',
  9: 't',
  10: 'n',
  11: 'v',
  12: 'f',
  13: 'r',
  27: 'e',
};

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `1b` → `1[bB]`: escape sequences and percent-encoding may use either case. */
function hexPattern(hex: string): string {
  return [...hex].map((h) => (/[a-f]/.test(h) ? `[${h}${h.toUpperCase()}]` : h)).join('');
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** Every way one character may appear in output. */
function charPattern(ch: string): string {
  const code = ch.codePointAt(0)!;
  const alternatives: string[] = [];
  const escaped: string[] = [];
  if (code < 0x20 || code === 0x7f) {
    if (SHORT_ESCAPES[code] !== undefined) escaped.push(SHORT_ESCAPES[code]);
    escaped.push(`x${hexPattern(hex(code, 2))}`, `u${hexPattern(hex(code, 4))}`);
    if (code === 10) alternatives.push('\\r?\\n');
    else alternatives.push(escapeRegExp(ch));
  } else if (ch === '"' || ch === '/' || ch === "'") {
    // JSON escapes `"` (and may escape `/`), repeated escaping doubles the backslashes;
    // YAML's single-quoted style doubles `'`.
    alternatives.push(`\\\\*${escapeRegExp(ch)}`);
    if (ch === "'") alternatives.push("''");
  } else if (ch === '\\') {
    alternatives.push('\\\\+');
  } else if (code > 0x7f) {
    alternatives.push(escapeRegExp(ch));
    if (code <= 0xffff) escaped.push(`u${hexPattern(hex(code, 4))}`);
  } else {
    alternatives.push(escapeRegExp(ch));
  }
  if (escaped.length > 0) alternatives.push(`\\\\+(?:${escaped.join('|')})`);
  // Percent-encoding, byte by byte; a space may also be `+` (form encoding).
  const bytes = [...Buffer.from(ch, 'utf8')].map((b) => `%${hexPattern(hex(b, 2))}`).join('');
  alternatives.push(bytes);
  if (ch === ' ') alternatives.push('\\+');
  return alternatives.length === 1 ? alternatives[0]! : `(?:${alternatives.join('|')})`;
}

/** Matches the value raw, escaped or percent-encoded, in any mix. */
export function escapedFormsPattern(value: string): string {
  return [...value].map(charPattern).join('');
}

/**
 * The base64 texts that stand for the value: its whole encoding, and the characters fully
 * determined by its bytes when it sits at each of the three byte alignments of a longer text
 * (a file's content, a Secret's data). Standard and URL-safe alphabets.
 */
export function base64Forms(value: string, minLength: number): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const out = new Set<string>();
  const whole = bytes.toString('base64');
  out.add(whole);
  for (let offset = 0; offset < 3; offset++) {
    const b64 = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const core = b64.slice(Math.ceil((offset * 8) / 6), Math.floor(((offset + bytes.length) * 8) / 6));
    if (core.length >= minLength) out.add(core);
  }
  for (const f of [...out]) {
    out.add(f.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''));
    out.add(f.replace(/=+$/, ''));
  }
  return [...out].filter((f) => f.length >= minLength);
}
