import { RenderError } from '../../errors/index.js';
import { Override, type ComposeSource, type Path } from './source.js';

/** Variables for interpolation: the environment's `.env` files, never the process environment. */
export type Variables = ReadonlyMap<string, string>;

const NAME = /^[_a-zA-Z][_a-zA-Z0-9]*/;

/** A `${VAR:?message}` whose variable is missing, or a malformed `${...}`. */
export class InterpolationFailure extends Error {}

/**
 * Substitutes variables in one string as the compose-spec defines it: `$VAR`, `${VAR}`,
 * `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}`,
 * `${VAR+alt}`, nested defaults, and `$$` for a literal dollar. A `$` that starts no valid
 * variable is kept; an unset variable without a default becomes the empty string.
 */
export function interpolateString(text: string, vars: Variables): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '{') {
      const end = closingBrace(text, i + 2);
      if (end < 0) throw new InterpolationFailure(`invalid interpolation format: "${text}" has an unclosed \${`);
      out += substitute(text.slice(i + 2, end), vars, text);
      i = end + 1;
    } else {
      const m = NAME.exec(text.slice(i + 1));
      if (m) {
        out += vars.get(m[0]) ?? '';
        i += 1 + m[0].length;
      } else {
        out += '$';
        i++;
      }
    }
  }
  return out;
}

function closingBrace(text: string, from: number): number {
  let depth = 1;
  for (let j = from; j < text.length; j++) {
    if (text[j] === '$' && text[j + 1] === '{') {
      depth++;
      j++;
    } else if (text[j] === '}' && --depth === 0) return j;
  }
  return -1;
}

function substitute(body: string, vars: Variables, whole: string): string {
  const m = NAME.exec(body);
  if (!m) throw new InterpolationFailure(`invalid interpolation format: "${whole}" (\${${body}})`);
  const name = m[0];
  const rest = body.slice(name.length);
  const value = vars.get(name);
  if (rest === '') return value ?? '';
  const op = /^(:?[-?+])/.exec(rest)?.[1];
  if (!op) throw new InterpolationFailure(`invalid interpolation format: "${whole}" (\${${body}})`);
  const arg = rest.slice(op.length);
  const unsetOrEmpty = value === undefined || value === '';
  const missing = op.startsWith(':') ? unsetOrEmpty : value === undefined;
  switch (op.replace(':', '')) {
    case '-':
      return missing ? interpolateString(arg, vars) : value!;
    case '+':
      return missing ? '' : interpolateString(arg, vars);
    default: {
      if (!missing) return value!;
      const why = interpolateString(arg, vars);
      throw new InterpolationFailure(`required variable ${name} is missing a value${why ? `: ${why}` : ''}`);
    }
  }
}

/**
 * Interpolates every string value of a compose file (keys are left alone, as in compose).
 * A failure names the file and the line of the value.
 */
export function interpolateSource(source: ComposeSource, vars: Variables): void {
  const walk = (v: unknown, path: (string | number)[]): unknown => {
    if (typeof v === 'string') {
      try {
        return interpolateString(v, vars);
      } catch (e) {
        if (!(e instanceof InterpolationFailure)) throw e;
        throw new RenderError('COMPOSE_INTERPOLATION', e.message, {
          file: source.file,
          line: source.line(path),
          field: path.join('.'),
          hint: "Set the variable in the environment's .env (overlay or base), or give it a default with ${VAR:-default}.",
        });
      }
    }
    if (v instanceof Override) return new Override(walk(v.value, path));
    if (Array.isArray(v)) return v.map((x, i) => walk(x, [...path, i]));
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      for (const k of Object.keys(o)) o[k] = walk(o[k], [...path, k]);
      return o;
    }
    return v;
  };
  walk(source.value, []);
}

export type { Path };
