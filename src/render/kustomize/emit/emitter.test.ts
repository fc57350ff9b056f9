import { describe, expect, it } from 'vitest';
import { emitDocument } from './emitter.js';
import { compareKeys } from './sort-keys.js';
import { formatFloat } from './numbers.js';

// Expected strings are what `kustomize build` v5.8.1 printed for the same values.
describe('go-yaml v2 emitter', () => {
  it('quotes strings that would read as other types, YAML 1.1 booleans included', () => {
    expect(
      emitDocument({ a: 'on', b: 'yes', c: '1', d: '1.5', e: '~', f: 'null', g: '2001-12-14', h: '1:30', i: '' }),
    ).toBe('a: "on"\nb: "yes"\nc: "1"\nd: "1.5"\ne: "~"\nf: "null"\ng: "2001-12-14"\nh: "1:30"\ni: ""\n');
  });

  it('single-quotes indicators and keeps plain text plain', () => {
    expect(
      emitDocument({ a: '- x', b: 'a: b', c: '#x', d: 'x #y', e: '  lead', f: '*x', g: 'x,', h: '<<', i: 'é' }),
    ).toBe("a: '- x'\nb: 'a: b'\nc: '#x'\nd: 'x #y'\ne: '  lead'\nf: '*x'\ng: x,\nh: <<\ni: é\n");
  });

  it('writes multi-line text as literal blocks with the right chomping', () => {
    expect(emitDocument({ a: 'x\ny', b: 'x\n', c: 'a\n\n', d: ' a\nb' })).toBe(
      'a: |-\n  x\n  y\nb: |\n  x\nc: |+\n  a\n\nd: |2-\n   a\n  b\n',
    );
  });

  it('falls back to double quotes with escapes for tabs, trailing spaces and astral characters', () => {
    expect(emitDocument({ a: 'a\tb\nc', b: 'a \nb', c: '😀' })).toBe('a: "a\\tb\\nc"\nb: "a \\nb"\nc: "\\U0001F600"\n');
  });

  it('folds long plain scalars at column 80', () => {
    const long = 'very long string '.repeat(7).trim();
    expect(emitDocument({ av: long })).toBe(
      'av: very long string very long string very long string very long string very long\n  string very long string very long string\n',
    );
  });

  it('does not indent sequences under a key and writes empty collections in flow style', () => {
    expect(emitDocument({ l: [{ a: 1, b: [] }, [1, 2]], m: {} })).toBe('l:\n- a: 1\n  b: []\n- - 1\n  - 2\nm: {}\n');
  });

  it('sorts keys the way go-yaml v2 does (numbers inside keys by value)', () => {
    expect(['a10', 'a9', 'b', 'a-1', 'A'].sort(compareKeys)).toEqual(['A', 'a-1', 'a9', 'a10', 'b']);
  });

  it('formats floats like strconv.FormatFloat(f, g, -1)', () => {
    expect([1.5, 12345678.5, 0.00001, 1e21].map(formatFloat)).toEqual(['1.5', '1.23456785e+07', '1e-05', '1e+21']);
  });
});
