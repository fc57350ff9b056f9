import { RenderError } from '../../../errors/index.js';
import type { Loader } from '../load/loader.js';

export interface KvSources {
  literals: string[];
  files: string[];
  envs: string[];
}

export interface Pair {
  key: string;
  value: string;
  /** The raw bytes when the value came from a file that is not UTF-8. */
  bytes?: Uint8Array;
}

const KEY_RE = /^[-._a-zA-Z0-9]+$/;
const ENV_NAME_RE = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** Key/value pairs in kustomize's order: env files, then literals, then files; repeats are errors. */
export function loadPairs(ldr: Loader, src: KvSources, genName: string, from: string): Pair[] {
  const all: Pair[] = [];
  for (const p of src.envs) all.push(...envPairs(ldr.readText(p, from).text, p, from));
  for (const s of src.literals) all.push(literalPair(s, from));
  for (const s of src.files) all.push(filePair(ldr, s, from));
  const seen = new Set<string>();
  for (const p of all) {
    if (!KEY_RE.test(p.key)) {
      throw new RenderError(
        'KUSTOMIZE_GENERATOR',
        `${from}: "${p.key}" is not a valid key name for ${genName}: a valid key must consist of alphanumeric characters, '-', '_' or '.'`,
        { file: from },
      );
    }
    if (seen.has(p.key))
      throw new RenderError(
        'KUSTOMIZE_GENERATOR',
        `${from}: configmap ${genName} illegally repeats the key \`${p.key}\``,
        { file: from },
      );
    seen.add(p.key);
  }
  return all;
}

function envPairs(text: string, path: string, from: string): Pair[] {
  const out: Pair[] = [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((raw, i) => {
    let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (i === 0) line = line.replace(/^\uFEFF/, '');
    line = line.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const key = eq < 0 ? line : line.slice(0, eq);
    if (!ENV_NAME_RE.test(key)) {
      throw new RenderError(
        'KUSTOMIZE_GENERATOR',
        `${path}:${i + 1}: "${key}" is not a valid environment variable name (from ${from})`,
        { file: path, line: i + 1 },
      );
    }
    out.push({ key, value: eq < 0 ? '' : line.slice(eq + 1) });
  });
  return out;
}

function literalPair(s: string, from: string): Pair {
  const eq = s.indexOf('=');
  if (eq <= 0)
    throw new RenderError('KUSTOMIZE_GENERATOR', `${from}: invalid literal source ${s}, expected key=value`, {
      file: from,
    });
  let v = s.slice(eq + 1);
  if (v.length >= 2 && v[0] === v[v.length - 1] && (v[0] === '"' || v[0] === "'")) v = v.slice(1, -1);
  return { key: s.slice(0, eq), value: v };
}

function filePair(ldr: Loader, s: string, from: string): Pair {
  const n = s.split('=').length - 1;
  let key: string;
  let path: string;
  if (n === 0) {
    path = s;
    key = s.replace(/\/+$/, '').split('/').pop() || s;
  } else if (n === 1 && s.startsWith('=')) {
    throw new RenderError(
      'KUSTOMIZE_GENERATOR',
      `${from}: missing key name for file path "${s.slice(1)}" in source "${s}"`,
      { file: from },
    );
  } else if (n === 1 && s.endsWith('=')) {
    throw new RenderError(
      'KUSTOMIZE_GENERATOR',
      `${from}: missing file path for key name "${s.slice(0, -1)}" in source "${s}"`,
      { file: from },
    );
  } else if (n > 1) {
    throw new RenderError('KUSTOMIZE_GENERATOR', `${from}: source "${s}" key name or file path contains '='`, {
      file: from,
    });
  } else {
    [key, path] = s.split('=') as [string, string];
  }
  const bytes = ldr.readBytes(path, from);
  const text = decodeUtf8(bytes);
  return text === undefined ? { key, value: '', bytes } : { key, value: text };
}

function decodeUtf8(b: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(b);
  } catch {
    return undefined;
  }
}

/** base64, wrapped every 70 characters with a newline after each line once there is more than one. */
export function encodeBase64Wrapped(b: Uint8Array): string {
  const enc = Buffer.from(b).toString('base64');
  if (enc.length < 70) return enc;
  let out = '';
  for (let i = 0; i < enc.length; i += 70) out += enc.slice(i, i + 70) + '\n';
  return out;
}
