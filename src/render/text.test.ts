import { describe, expect, it } from 'vitest';
import { EncodingError } from '../errors/index.js';
import { decodeManifest, firstInvalidUtf8 } from './text.js';

const b = (...xs: (string | number[])[]) =>
  new Uint8Array(Buffer.concat(xs.map((x) => (typeof x === 'string' ? Buffer.from(x) : Buffer.from(x)))));

describe('decodeManifest', () => {
  it('reads UTF-8 text of every length of character, with or without a byte order mark', () => {
    const text = 'name: café ✓ 𝄞 日本\n';
    expect(decodeManifest(b(text), 'a.yaml')).toBe(text);
    expect(decodeManifest(b([0xef, 0xbb, 0xbf], text), 'a.yaml')).toBe(text);
  });

  it.each([
    ['a Latin-1 byte', b('a: caf', [0xe9], '\n'), 6],
    ['a lone continuation byte', b('a: ', [0x80]), 3],
    ['an overlong slash', b('a: ', [0xc0, 0xaf]), 3],
    ['an overlong three-byte form', b('a: ', [0xe0, 0x80, 0xaf]), 3],
    ['a surrogate', b('a: ', [0xed, 0xa0, 0x80]), 3],
    ['a code point above U+10FFFF', b('a: ', [0xf4, 0x90, 0x80, 0x80]), 3],
    ['a character cut short', b('a: ', [0xe2, 0x82], 'x'), 3],
    ['a character cut short at the end', b('a: ', [0xf0, 0x9f, 0x98]), 3],
  ])('finds %s at its byte', (_what, bytes, offset) => {
    expect(firstInvalidUtf8(bytes)).toBe(offset);
    try {
      decodeManifest(bytes, 'apps/web/x.yaml');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(EncodingError);
      expect((e as EncodingError).code).toBe('INVALID_UTF8');
      expect((e as EncodingError).message).toContain(`apps/web/x.yaml is not valid UTF-8 at byte ${offset}`);
    }
  });

  it('refuses a NUL byte with its line and column', () => {
    try {
      decodeManifest(b('a: 1\nb: x', [0], 'y\n'), 'm.yaml');
      expect.unreachable();
    } catch (e) {
      expect((e as EncodingError).code).toBe('NUL_BYTE');
      expect((e as EncodingError).location).toMatchObject({ file: 'm.yaml', line: 2, column: 5 });
      expect((e as EncodingError).message).toContain('at byte 9 (line 2, column 5)');
    }
  });
});
