import { isObject, setKey, type JsonObject } from '../model/json.js';
import type { FieldSpec } from '../config/transformer-config.js';
import type { FieldSource } from '../resource/provenance.js';
import type { ResMap } from '../resource/resmap.js';
import { applyFieldSpec } from './fieldspec.js';

/**
 * labels / commonLabels / commonAnnotations: set each key (in sorted order, as kustomize
 * does) in every map the field specs point at, creating the maps where the spec allows.
 */
export function setStringEntries(
  m: ResMap,
  entries: Record<string, string>,
  specs: FieldSpec[],
  sourceOf?: (key: string) => FieldSource,
): void {
  const keys = Object.keys(entries).sort();
  if (keys.length === 0) return;
  const sources = sourceOf ? new Map(keys.map((k) => [k, sourceOf(k)])) : undefined;
  for (const r of m.list) {
    for (const k of keys) {
      const source = sources?.get(k);
      for (const spec of specs) {
        applyFieldSpec(r, spec, 'map', (slot, at) => {
          let target = slot.get();
          if (!isObject(target)) {
            target = {} as JsonObject;
            slot.set(target);
          }
          setKey(target, k, entries[k]!);
          if (source) r.provenance.note([...at, k], source);
        });
      }
    }
  }
}
