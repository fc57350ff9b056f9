import { isObject, type JsonValue } from '../model/json.js';
import { analyzeScalar, isBreak, isPrintable, requestedStringStyle, selectStyle, type ScalarStyle } from './scalar.js';
import { compareKeys } from './sort-keys.js';
import { formatFloat } from './numbers.js';

/**
 * A block-style YAML writer that reproduces go-yaml v2's emitter (the one behind
 * `kustomize build` output): keys sorted the v2 way, sequences not indented under a mapping
 * key, the same quoting decisions, and long scalars folded at column 80 exactly where libyaml
 * folds them. The `yaml` package cannot be configured to match these rules (its folding and
 * quoting heuristics differ), so the emitter state machine is reproduced here: the column,
 * indent and whitespace/indention flags behave as in libyaml so line breaks land identically.
 */
const BEST_WIDTH = 80;
const BEST_INDENT = 2;

class Writer {
  private readonly out: string[] = [];
  column = 0;
  indent = -1;
  private readonly indents: number[] = [];
  whitespace = true;
  indention = true;

  put(ch: string): void {
    this.out.push(ch);
    this.column++;
  }

  /** `count` characters at once, none of them a break: what `put` would do for each. */
  putRun(run: string, count: number): void {
    this.out.push(run);
    this.column += count;
  }

  putBreak(): void {
    this.out.push('\n');
    this.column = 0;
  }

  text(): string {
    return this.out.join('');
  }

  increaseIndent(flow: boolean, indentless: boolean): void {
    this.indents.push(this.indent);
    if (this.indent < 0) this.indent = flow ? BEST_INDENT : 0;
    else if (!indentless) this.indent += BEST_INDENT;
  }

  popIndent(): void {
    this.indent = this.indents.pop()!;
  }

  writeIndent(): void {
    const indent = Math.max(this.indent, 0);
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.putBreak();
    if (this.column < indent) this.putRun(' '.repeat(indent - this.column), indent - this.column);
    this.whitespace = true;
    this.indention = true;
  }

  writeIndicator(ind: string, needWhitespace: boolean, isWhitespace: boolean, isIndention: boolean): void {
    if (needWhitespace && !this.whitespace) this.put(' ');
    this.putRun(ind, ind.length);
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }
}

interface Ctx {
  mapping: boolean;
  simpleKey: boolean;
}

/** One document, as yaml.v2 Marshal prints it (always ends with a newline). */
export function emitDocument(value: JsonValue): string {
  const w = new Writer();
  emitNode(w, value, { mapping: false, simpleKey: false });
  w.indent = -1;
  w.writeIndent();
  return w.text();
}

function emitNode(w: Writer, v: JsonValue, ctx: Ctx): void {
  if (Array.isArray(v)) {
    if (v.length === 0) return emitEmptyFlow(w, '[', ']');
    w.increaseIndent(false, ctx.mapping && !w.indention);
    for (const item of v) {
      w.writeIndent();
      w.writeIndicator('-', true, false, true);
      emitNode(w, item, { mapping: false, simpleKey: false });
    }
    w.popIndent();
    return;
  }
  if (isObject(v)) {
    const keys = Object.keys(v).sort(compareKeys);
    if (keys.length === 0) return emitEmptyFlow(w, '{', '}');
    w.increaseIndent(false, false);
    for (const k of keys) {
      w.writeIndent();
      const chars = codePoints(k);
      const analysis = analyzeScalar(chars);
      if (!analysis.multiline && Buffer.byteLength(k, 'utf8') <= 128) {
        emitScalar(w, k, chars, requestedStringStyle(k), { mapping: true, simpleKey: true });
        w.writeIndicator(':', false, false, false);
      } else {
        w.writeIndicator('?', true, false, true);
        emitScalar(w, k, chars, requestedStringStyle(k), { mapping: true, simpleKey: false });
        w.writeIndent();
        w.writeIndicator(':', true, false, true);
      }
      emitNode(w, v[k]!, { mapping: true, simpleKey: false });
    }
    w.popIndent();
    return;
  }
  if (typeof v === 'string') return emitScalar(w, v, codePoints(v), requestedStringStyle(v), ctx);
  const text = v === null ? 'null' : typeof v === 'boolean' ? String(v) : formatNumber(v);
  emitScalar(w, text, codePoints(text), 'plain', ctx);
}

function formatNumber(n: number): string {
  return Number.isInteger(n) && Math.abs(n) < 1e21 ? BigInt(n).toString() : formatFloat(n);
}

function emitEmptyFlow(w: Writer, open: string, close: string): void {
  w.writeIndicator(open, true, true, false);
  w.writeIndicator(close, false, false, false);
}

function codePoints(s: string): number[] {
  const out: number[] = [];
  for (const c of s) out.push(c.codePointAt(0)!);
  return out;
}

function emitScalar(w: Writer, value: string, chars: number[], requested: ScalarStyle, ctx: Ctx): void {
  const analysis = analyzeScalar(chars);
  const style = selectStyle(requested, analysis, ctx.simpleKey, chars.length === 0);
  w.increaseIndent(true, false);
  const allowBreaks = !ctx.simpleKey;
  // Runs of characters that need no decision are written at once, sliced from the value when
  // its indexes are those of its code points (no surrogate pairs): large manifests (CRDs of
  // megabytes) are otherwise written one character at a time.
  const text = value.length === chars.length ? value : undefined;
  if (style === 'plain') writePlain(w, text, chars, allowBreaks);
  else if (style === 'single') writeSingle(w, text, chars, allowBreaks);
  else if (style === 'double') writeDouble(w, text, chars, allowBreaks);
  else writeLiteral(w, text, chars);
  w.popIndent();
}

/**
 * Writes chars[i] and the characters after it that `plain` accepts, from `text` when there is
 * one, else chars[i] alone; returns the index of the last one written.
 */
function writeRun(
  w: Writer,
  text: string | undefined,
  chars: number[],
  i: number,
  plain: (ch: number) => boolean,
): number {
  if (text === undefined) {
    writeChar(w, chars[i]!);
    return i;
  }
  let j = i + 1;
  while (j < chars.length && plain(chars[j]!)) j++;
  w.putRun(text.slice(i, j), j - i);
  return j - 1;
}

const plainRun = (ch: number) => ch !== 0x20 && !isBreak(ch);
const singleRun = (ch: number) => ch !== 0x20 && ch !== 0x27 && !isBreak(ch);
const doubleRun = (ch: number) =>
  ch !== 0x20 && ch !== 0x22 && ch !== 0x5c && ch !== 0xfeff && isPrintable(ch) && !isBreak(ch);
const literalRun = (ch: number) => !isBreak(ch);

function writeChar(w: Writer, cp: number): void {
  if (isBreak(cp)) {
    if (cp === 0x0a) w.putBreak();
    else {
      w.put(String.fromCodePoint(cp));
      w.column = 0;
    }
    return;
  }
  w.put(String.fromCodePoint(cp));
}

function writePlain(w: Writer, text: string | undefined, chars: number[], allowBreaks: boolean): void {
  if (!w.whitespace) w.put(' ');
  let spaces = false;
  let breaks = false;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === 0x20) {
      if (allowBreaks && !spaces && w.column > BEST_WIDTH && chars[i + 1] !== 0x20) w.writeIndent();
      else w.put(' ');
      spaces = true;
    } else if (isBreak(ch)) {
      if (!breaks && ch === 0x0a) w.putBreak();
      writeChar(w, ch);
      w.indention = true;
      breaks = true;
    } else {
      if (breaks) w.writeIndent();
      i = writeRun(w, text, chars, i, plainRun);
      w.indention = false;
      spaces = false;
      breaks = false;
    }
  }
  w.whitespace = false;
  w.indention = false;
}

function writeSingle(w: Writer, text: string | undefined, chars: number[], allowBreaks: boolean): void {
  w.writeIndicator("'", true, false, false);
  let spaces = false;
  let breaks = false;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === 0x20) {
      if (allowBreaks && !spaces && w.column > BEST_WIDTH && i > 0 && i < chars.length - 1 && chars[i + 1] !== 0x20) {
        w.writeIndent();
      } else w.put(' ');
      spaces = true;
    } else if (isBreak(ch)) {
      if (!breaks && ch === 0x0a) w.putBreak();
      writeChar(w, ch);
      w.indention = true;
      breaks = true;
    } else {
      if (breaks) w.writeIndent();
      if (ch === 0x27) {
        w.put("'");
        writeChar(w, ch);
      } else i = writeRun(w, text, chars, i, singleRun);
      w.indention = false;
      spaces = false;
      breaks = false;
    }
  }
  w.writeIndicator("'", false, false, false);
  w.whitespace = false;
  w.indention = false;
}

const SHORT_ESCAPES: Record<number, string> = {
  0x00: '0',
  0x07: 'a',
  0x08: 'b',
  0x09: 't',
  0x0a: 'n',
  0x0b: 'v',
  0x0c: 'f',
  0x0d: 'r',
  0x1b: 'e',
  0x22: '"',
  0x5c: '\\',
  0x85: 'N',
  0xa0: '_',
  0x2028: 'L',
  0x2029: 'P',
};

function writeDouble(w: Writer, text: string | undefined, chars: number[], allowBreaks: boolean): void {
  w.writeIndicator('"', true, false, false);
  let spaces = false;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (!isPrintable(ch) || ch === 0xfeff || isBreak(ch) || ch === 0x22 || ch === 0x5c) {
      w.put('\\');
      const short = SHORT_ESCAPES[ch];
      if (short !== undefined) w.put(short);
      else {
        const [letter, width] = ch <= 0xff ? ['x', 2] : ch <= 0xffff ? ['u', 4] : ['U', 8];
        w.put(letter);
        for (const d of ch.toString(16).toUpperCase().padStart(width, '0')) w.put(d);
      }
      spaces = false;
    } else if (ch === 0x20) {
      if (allowBreaks && !spaces && w.column > BEST_WIDTH && i > 0 && i < chars.length - 1) {
        w.writeIndent();
        if (chars[i + 1] === 0x20) w.put('\\');
      } else w.put(' ');
      spaces = true;
    } else if (text !== undefined) {
      i = writeRun(w, text, chars, i, doubleRun);
      spaces = false;
    } else {
      w.put(String.fromCodePoint(ch));
      spaces = false;
    }
  }
  w.writeIndicator('"', false, false, false);
  w.whitespace = false;
  w.indention = false;
}

function writeLiteral(w: Writer, text: string | undefined, chars: number[]): void {
  w.writeIndicator('|', true, false, false);
  const first = chars[0];
  if (first !== undefined && (first === 0x20 || isBreak(first)))
    w.writeIndicator(String(BEST_INDENT), false, false, false);
  let chomp = '';
  const n = chars.length;
  if (n === 0 || !isBreak(chars[n - 1]!)) chomp = '-';
  else if (n === 1 || isBreak(chars[n - 2]!)) chomp = '+';
  if (chomp) w.writeIndicator(chomp, false, false, false);
  w.putBreak();
  w.indention = true;
  w.whitespace = true;
  let breaks = true;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (isBreak(ch)) {
      writeChar(w, ch);
      w.indention = true;
      breaks = true;
    } else {
      if (breaks) w.writeIndent();
      i = writeRun(w, text, chars, i, literalRun);
      w.indention = false;
      breaks = false;
    }
  }
}
