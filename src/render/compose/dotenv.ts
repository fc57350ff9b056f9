import { RenderError } from '../../errors/index.js';
import { interpolateString, InterpolationFailure, type Variables } from './interpolate.js';

/**
 * Reads a `.env` / `env_file` file the way compose does: `KEY=value` lines, optional
 * `export `, `#` comments, single quotes literal, double quotes with `\n` escapes, and
 * `${VAR}` expansion (from earlier lines, then `outer`) outside single quotes. A line with a
 * bare `KEY` names a variable without a value (null).
 */
export function parseDotenv(text: string, file: string, outer: Variables = new Map()): Map<string, string | null> {
  const out = new Map<string, string | null>();
  const lookup = (): Variables => {
    const m = new Map(outer);
    for (const [k, v] of out) if (v !== null) m.set(k, v);
    return m;
  };
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    let line = lines[n]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('export ')) line = line.slice(7).trimStart();
    const eq = line.indexOf('=');
    const key = (eq < 0 ? line : line.slice(0, eq)).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key)) {
      throw new RenderError('COMPOSE_DOTENV', `${JSON.stringify(key)} is not a variable name`, {
        file,
        line: n + 1,
        hint: 'Write one KEY=value per line.',
      });
    }
    if (eq < 0) {
      out.set(key, null);
      continue;
    }
    let raw = line.slice(eq + 1).trimStart();
    let value: string;
    try {
      if (raw.startsWith("'") || raw.startsWith('"')) {
        const q = raw[0]!;
        // A quoted value may span lines until its closing quote.
        let end = closingQuote(raw, q);
        while (end < 0 && n + 1 < lines.length) {
          raw += `\n${lines[++n]!}`;
          end = closingQuote(raw, q);
        }
        if (end < 0) throw new InterpolationFailure(`unterminated ${q} quote`);
        const inner = raw.slice(1, end);
        value = q === "'" ? inner : interpolateString(unescape(inner), lookup());
      } else {
        const hash = raw.search(/\s#/);
        value = interpolateString((hash < 0 ? raw : raw.slice(0, hash)).trim(), lookup());
      }
    } catch (e) {
      if (!(e instanceof InterpolationFailure)) throw e;
      throw new RenderError('COMPOSE_DOTENV', e.message, { file, line: n + 1, hint: 'Fix the value on that line.' });
    }
    out.set(key, value);
  }
  return out;
}

function closingQuote(s: string, q: string): number {
  for (let i = 1; i < s.length; i++) {
    if (q === '"' && s[i] === '\\') i++;
    else if (s[i] === q) return i;
  }
  return -1;
}

function unescape(s: string): string {
  return s.replace(/\\([\\"nrt$])/g, (_, c: string) =>
    c === 'n' ? '\n' : c === 'r' ? '\r' : c === 't' ? '\t' : c === '$' ? '$$' : c,
  );
}
