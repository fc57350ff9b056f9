import { Branch, Comment, TimeValue, type Node, type Tree } from './tree.js';

/**
 * JSON ⇄ SOPS tree. JSON.parse cannot be used: it reorders integer-like keys, drops duplicate
 * keys and forgets whether `1.0` was written as a float, all of which change the MAC.
 */
export class JsonFormatError extends Error {}

export function parseJson(text: string): Tree {
  const p = new Parser(text);
  p.ws();
  if (p.peek() !== '{') throw new JsonFormatError('SOPS JSON files must hold a top-level object');
  const b = p.value() as Branch;
  p.ws();
  if (!p.done()) throw new JsonFormatError(`unexpected content at offset ${p.i}`);
  return [b];
}

class Parser {
  i = 0;
  constructor(readonly s: string) {}
  done(): boolean {
    return this.i >= this.s.length;
  }
  peek(): string {
    return this.s[this.i] ?? '';
  }
  ws(): void {
    while (/\s/.test(this.peek()) && !this.done()) this.i++;
  }
  fail(what: string): never {
    throw new JsonFormatError(`invalid JSON at offset ${this.i}: ${what}`);
  }
  expect(c: string): void {
    this.ws();
    if (this.s[this.i] !== c) this.fail(`expected "${c}"`);
    this.i++;
  }
  value(): Node {
    this.ws();
    const c = this.peek();
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    for (const [lit, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (this.s.startsWith(lit, this.i)) {
        this.i += lit.length;
        return v;
      }
    }
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.s.slice(this.i, this.i + 400));
    if (!m || m[0] === '') this.fail('unexpected character');
    this.i += m[0].length;
    if (!m[2] && !m[3]) {
      const big = BigInt(m[0]);
      // Integers beyond int64 become floats, as in the reference implementation.
      if (big >= -(2n ** 63n) && big < 2n ** 63n) return big;
    }
    return Number(m[0]);
  }
  object(): Branch {
    this.expect('{');
    const b = new Branch();
    this.ws();
    if (this.peek() === '}') {
      this.i++;
      return b;
    }
    for (;;) {
      this.ws();
      const key = this.string();
      this.expect(':');
      b.items.push({ key, value: this.value() });
      this.ws();
      if (this.peek() === ',') {
        this.i++;
        continue;
      }
      this.expect('}');
      return b;
    }
  }
  array(): Node[] {
    this.expect('[');
    const out: Node[] = [];
    this.ws();
    if (this.peek() === ']') {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.ws();
      if (this.peek() === ',') {
        this.i++;
        continue;
      }
      this.expect(']');
      return out;
    }
  }
  string(): string {
    if (this.peek() !== '"') this.fail('expected a string');
    const start = this.i;
    this.i++;
    while (!this.done() && this.s[this.i] !== '"') this.i += this.s[this.i] === '\\' ? 2 : 1;
    if (this.done()) this.fail('unterminated string');
    this.i++;
    return JSON.parse(this.s.slice(start, this.i)) as string;
  }
}

/** Emits JSON the way SOPS does: tab indentation, `"key": value`, a final newline. */
export function emitJson(tree: Tree): string {
  return emit(tree[0] ?? new Branch(), '') + '\n';
}

function emit(n: Node, indent: string): string {
  const inner = indent + '\t';
  if (n instanceof Branch) {
    const items = n.items.filter((i) => !(i.key instanceof Comment));
    if (items.length === 0) return '{}';
    return `{\n${items.map((i) => `${inner}${JSON.stringify(i.key)}: ${emit(i.value, inner)}`).join(',\n')}\n${indent}}`;
  }
  if (Array.isArray(n)) {
    const items = n.filter((v) => !(v instanceof Comment));
    if (items.length === 0) return '[]';
    return `[\n${items.map((v) => inner + emit(v, inner)).join(',\n')}\n${indent}]`;
  }
  if (n instanceof TimeValue) return JSON.stringify(n.text);
  if (n instanceof Comment) return 'null';
  if (typeof n === 'bigint') return n.toString();
  if (typeof n === 'number' && !Number.isFinite(n))
    throw new JsonFormatError('JSON cannot hold NaN or infinite numbers');
  return JSON.stringify(n);
}
