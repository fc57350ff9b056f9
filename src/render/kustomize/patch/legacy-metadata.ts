import { isMap, isScalar, parseAllDocuments, type Document } from 'yaml';
import { isObject, setKey, type JsonObject } from '../model/json.js';
import type { Resource } from '../resource/resource.js';

/**
 * kustomize loads `patchesStrategicMerge` patches as resources, which reads their labels and
 * annotations as strings: a value written `null`, `~`, `1` or `true` becomes that text
 * ("null" is set, not deleted), and an empty value becomes "". `patches:` does not do this.
 * `docs` are the patch's non-empty documents, in order, as loadPatch made them.
 */
export function labelsAndAnnotationsAsText(text: string, docs: Resource[]): void {
  const parsed = parseAllDocuments(text, { schema: 'failsafe' });
  if (!Array.isArray(parsed)) return;
  const nonEmpty = parsed.filter((d: Document) => !isEmpty(d.contents));
  nonEmpty.forEach((doc, i) => {
    const r = docs[i];
    if (!r) return;
    const meta = r.obj['metadata'];
    if (!isObject(meta)) return;
    for (const field of ['labels', 'annotations']) {
      const node = doc.getIn(['metadata', field], true);
      const values = meta[field];
      if (!isMap(node) || !isObject(values)) continue;
      const out: JsonObject = values;
      for (const pair of node.items) {
        if (!isScalar(pair.key) || (!isScalar(pair.value) && pair.value !== null)) continue;
        const key = String(pair.key.value);
        const v = out[key];
        if (typeof v === 'string' || (v !== null && typeof v === 'object')) continue;
        const source = isScalar(pair.value) ? String(pair.value.source ?? pair.value.value ?? '') : '';
        setKey(out, key, source);
      }
    }
  });
}

function isEmpty(contents: unknown): boolean {
  return contents === null || (isScalar(contents) && contents.value === null && (contents.source ?? '') === '');
}
