import { EncodingError } from '../errors/index.js';
import { formatFieldPath } from '../config/yaml-location.js';
import { fieldLocation, resourceRef, type RenderedResource } from '../model/resource.js';

/**
 * Manifests are UTF-8 text without NUL characters. Anything else is refused here, with the
 * file and the byte offset, instead of being decoded with replacement characters (which would
 * roll out something nobody wrote) or reaching a target that fails on it later without a file.
 */
export function decodeManifest(bytes: Uint8Array, file: string): string {
  const nul = bytes.indexOf(0);
  const invalid = firstInvalidUtf8(bytes, nul < 0 ? bytes.length : nul);
  if (invalid >= 0) {
    throw new EncodingError(
      'INVALID_UTF8',
      `${file} is not valid UTF-8 at byte ${invalid} (line ${lineAt(bytes, invalid).line}, column ${lineAt(bytes, invalid).column})`,
      {
        file,
        ...lineAt(bytes, invalid),
        hint: 'Manifests must be UTF-8 text: re-save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`), or keep binary data in a generator file.',
      },
    );
  }
  if (nul >= 0) {
    throw new EncodingError(
      'NUL_BYTE',
      `${file} holds a NUL byte at byte ${nul} (line ${lineAt(bytes, nul).line}, column ${lineAt(bytes, nul).column})`,
      {
        file,
        ...lineAt(bytes, nul),
        hint: 'A manifest is text and no process argument, environment value or name can carry NUL: remove the byte (a file saved as UTF-16?).',
      },
    );
  }
  // A byte order mark is allowed, as YAML allows it; it is not part of the text.
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(start));
}

/**
 * Offset of the first byte that does not begin or continue a well-formed UTF-8 sequence
 * (Unicode 15, table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF) before
 * `end`, or -1.
 */
export function firstInvalidUtf8(bytes: Uint8Array, end = bytes.length): number {
  let i = 0;
  while (i < end) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = i + k < end ? bytes[i + k]! : -1;
      const min = k === 1 ? lo : 0x80;
      const max = k === 1 ? hi : 0xbf;
      if (c < min || c > max) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** 1-based line and column (in bytes) of a byte offset. */
function lineAt(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

/**
 * A NUL written as an escape (`"\0"`, `"\u0000"`) is valid YAML but no target can carry it
 * (process arguments and environment end at NUL): refused at the field, without the value,
 * which may be a secret.
 */
export function refuseNul(r: RenderedResource): void {
  const visit = (v: unknown, path: (string | number)[]): void => {
    if (typeof v === 'string') {
      if (v.includes('\0')) fail(path);
    } else if (Array.isArray(v)) v.forEach((x, i) => visit(x, [...path, i]));
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        if (k.includes('\0')) fail(path);
        visit(x, [...path, k]);
      }
  };
  const fail = (path: (string | number)[]): never => {
    const where = fieldLocation(r.origin, path);
    const field = formatFieldPath(path);
    throw new EncodingError('NUL_IN_VALUE', `${resourceRef(r.object)}: ${field || 'a key'} holds a NUL character`, {
      ...(where ? { file: where.file, line: where.line } : {}),
      field,
      resource: resourceRef(r.object),
      hint: 'No target can pass a NUL character to a process or an API: remove the \\0 or \\u0000 escape.',
    });
  };
  visit(r.object, []);
}
