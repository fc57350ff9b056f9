import { RenderError } from '../../../errors/index.js';
import { isObject, type JsonObject } from '../model/json.js';
import type { Loader } from '../load/loader.js';
import { parseYamlDocs } from '../yaml/parse.js';
import { emptyConfig, mergeConfig, type FieldSpec, type TransformerConfig } from './transformer-config.js';

/**
 * The legacy `crds:` field: OpenAPI definitions whose properties carry x-kubernetes-*
 * extensions telling kustomize which fields are annotations, label selectors, names, or
 * references to other objects.
 */
export function loadCrdConfig(ldr: Loader, paths: string[], from: string): TransformerConfig {
  let tc = emptyConfig();
  for (const p of paths) {
    const { text, path } = ldr.readText(p, from);
    const doc = parseYamlDocs(text, path)[0]?.value;
    if (!isObject(doc))
      throw new RenderError('KUSTOMIZE_CRD', `unable to parse open API definition from '${p}'`, { file: path });
    for (const [name, api] of Object.entries(doc)) {
      const props = propsOf(api);
      if (!props || !('kind' in props && 'apiVersion' in props && 'metadata' in props)) continue;
      const kind = name.split('.').pop()!;
      const c = emptyConfig();
      walk(c, kind, doc, name, [], 0);
      tc = mergeConfig(tc, c);
    }
  }
  return tc;
}

function propsOf(api: unknown): JsonObject | undefined {
  if (!isObject(api)) return undefined;
  const schema = isObject(api['Schema']) ? api['Schema'] : api;
  const props = isObject(schema['properties']) ? schema['properties'] : undefined;
  return props;
}

function walk(
  c: TransformerConfig,
  kind: string,
  all: JsonObject,
  typeName: string,
  path: string[],
  depth: number,
): void {
  const props = propsOf(all[typeName]);
  if (!props || depth > 50) return;
  for (const [prop, raw] of Object.entries(props)) {
    if (!isObject(raw)) continue;
    const fs = (extra: string[] = []): FieldSpec => ({
      gvk: { group: '', version: '', kind },
      path: [...path, prop, ...extra].join('/'),
      create: false,
    });
    if (typeof raw['x-kubernetes-annotation'] === 'string') c.commonAnnotations.push(fs());
    if (typeof raw['x-kubernetes-label-selector'] === 'string') c.commonLabels.push(fs());
    if (typeof raw['x-kubernetes-identity'] === 'string') c.namePrefix.push(fs());
    const version = raw['x-kubernetes-object-ref-api-version'];
    const refKind = raw['x-kubernetes-object-ref-kind'];
    if (typeof version === 'string' && typeof refKind === 'string') {
      const key =
        typeof raw['x-kubernetes-object-ref-name-key'] === 'string' ? raw['x-kubernetes-object-ref-name-key'] : 'name';
      c.nameReference.push({ gvk: { group: '', version, kind: refKind }, referrers: [fs([key])] });
    }
    if (typeof raw['$ref'] === 'string') walk(c, kind, all, raw['$ref'], [...path, prop], depth + 1);
  }
}
