import { isObject, setKey, type JsonObject } from '../model/json.js';
import type { FieldSpec } from '../config/transformer-config.js';
import type { ResMap } from '../resource/resmap.js';
import { applyFieldSpec } from './fieldspec.js';

/**
 * labels / commonLabels / commonAnnotations: set each key (in sorted order, as kustomize
 * does) in every map the field specs point at, creating the maps where the spec allows.
 */
export function setStringEntries(m: ResMap, entries: Record<string, string>, specs: FieldSpec[]): void {
  const keys = Object.keys(entries).sort();
  if (keys.length === 0) return;
  for (const r of m.list) {
    for (const k of keys) {
      for (const spec of specs) {
        applyFieldSpec(r, spec, 'map', (slot) => {
          let target = slot.get();
          if (!isObject(target)) {
            target = {} as JsonObject;
            slot.set(target);
          }
          setKey(target, k, entries[k]!);
        });
      }
    }
  }
}
