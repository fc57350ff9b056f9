import { isMap, isScalar, parseDocument, YAMLMap, type Scalar } from 'yaml';
import { RenderError } from '../../errors/index.js';
import { joinPath } from '../../vfs/index.js';
import type { ImagePin } from '../types.js';
import { COMPOSE_FILE_NAMES } from './layout.js';

/** `registry/name:tag@digest` → its parts. */
export function splitImageRef(image: string): { name: string; tag?: string; digest?: string } {
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const colon = rest.lastIndexOf(':');
  const tag = colon > rest.lastIndexOf('/') ? rest.slice(colon + 1) : undefined;
  const name = tag === undefined ? rest : rest.slice(0, colon);
  return { name, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/**
 * Sets the image of a service in the overlay's compose file: `pin.name` is the service, or
 * the image name the overlay's services run. An image already written is replaced where it
 * stands, so every other byte of the file stays; a service the overlay does not mention gets
 * a minimal override `services: {<name>: {image: …}}`, which needs `pin.ref`. Undefined when
 * the overlay has no compose file or nothing to set.
 */
export function pinComposeImage(
  files: ReadonlyMap<string, string>,
  dir: string,
  pin: ImagePin,
): { path: string; text: string } | undefined {
  const path = COMPOSE_FILE_NAMES.map((n) => joinPath(dir, n)).find((p) => files.has(p));
  if (path === undefined) return undefined;
  const text = files.get(path)!;
  const doc = parseDocument(text, { keepSourceTokens: true });
  if (doc.errors.length > 0) {
    throw new RenderError('YAML_SYNTAX', `invalid YAML: ${doc.errors[0]!.message.split('\n')[0]}`, {
      file: path,
      hint: 'Fix the compose file before setting an image in it.',
    });
  }
  const imageFor = (current?: string): string | undefined => {
    const ref = pin.ref ?? (current ? splitImageRef(current).name : undefined);
    if (!ref) return undefined;
    return `${ref}${pin.tag ? `:${pin.tag}` : ''}${pin.digest ? `@${pin.digest}` : ''}`;
  };

  const services = doc.get('services', true);
  const edits: { start: number; end: number; text: string }[] = [];
  let structural = false;
  const touch = (svc: YAMLMap, current: string | undefined) => {
    const next = imageFor(current);
    if (next === undefined) return false;
    const node = svc.get('image', true) as Scalar | undefined;
    if (isScalar(node) && node.range) {
      const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE' || /[\s#]|^[!&*|>'"%@`{[]/.test(next);
      edits.push({ start: node.range[0], end: node.range[1], text: quoted ? JSON.stringify(next) : next });
    } else {
      svc.set('image', next);
      structural = true;
    }
    return true;
  };

  let touched = false;
  if (isMap(services)) {
    for (const item of services.items) {
      const key = String(isScalar(item.key) ? item.key.value : item.key);
      const svc = item.value;
      if (!isMap(svc)) continue;
      const image = svc.get('image');
      const current = typeof image === 'string' ? image : undefined;
      if (key === pin.name || (current !== undefined && splitImageRef(current).name === pin.name))
        touched = touch(svc, current) || touched;
    }
  }
  if (!touched) {
    // The overlay does not mention the service: a minimal override of its image.
    const next = imageFor();
    if (next === undefined || !/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(pin.name)) return undefined;
    if (doc.contents === null || !isMap(doc.contents)) doc.contents = new YAMLMap() as never;
    if (!isMap(services)) doc.set('services', doc.createNode({ [pin.name]: { image: next } }));
    else services.set(pin.name, doc.createNode({ image: next }));
    structural = true;
  }
  if (structural) return { path, text: doc.toString({ lineWidth: 0 }) };
  let out = text;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return { path, text: out };
}
