import { RenderError } from '../../../errors/index.js';
import { isObject, type JsonObject, type JsonValue } from '../model/json.js';
import { parseYamlDocs } from '../yaml/parse.js';
import type { FieldInfo, SchemaData } from './schema.js';

const GVK_KEY = 'x-kubernetes-group-version-kind';
const STRATEGY_KEY = 'x-kubernetes-patch-strategy';
const MERGE_KEY = 'x-kubernetes-patch-merge-key';
const MAP_KEYS = 'x-kubernetes-list-map-keys';

/**
 * Reduces a custom OpenAPI (swagger 2) document, JSON or YAML, to what strategic merge reads:
 * the definition of each group/version/kind and, per field, its type reference and list merge
 * strategy. Objects and list items defined inline get a synthetic definition of their own so
 * lookups can follow them like `$ref`s.
 */
export function schemaFromOpenApi(text: string, file: string): SchemaData {
  const doc = parseYamlDocs(text, file)[0]?.value;
  const out: SchemaData = { gvks: {}, defs: {} };
  if (doc === undefined || doc === null) return out;
  if (!isObject(doc)) {
    throw new RenderError('KUSTOMIZE_OPENAPI', `${file}: an OpenAPI schema must be a map with definitions`, {
      file,
      hint: 'Give the file a top-level definitions: map, as in a Kubernetes swagger document.',
    });
  }
  const defs = isObject(doc['definitions']) ? doc['definitions'] : {};
  for (const [name, def] of Object.entries(defs)) {
    if (!isObject(def)) continue;
    addDefinition(out, name, def);
    const gvks = def[GVK_KEY];
    if (!Array.isArray(gvks)) continue;
    for (const g of gvks) {
      if (!isObject(g)) continue;
      const group = str(g['group']);
      const apiVersion = group ? `${group}/${str(g['version'])}` : str(g['version']);
      out.gvks[`${apiVersion} ${str(g['kind'])}`] = name;
    }
  }
  return out;
}

function addDefinition(out: SchemaData, name: string, def: JsonObject): void {
  const fields: Record<string, FieldInfo> = {};
  const props = isObject(def['properties']) ? def['properties'] : {};
  for (const [key, prop] of Object.entries(props)) {
    if (!isObject(prop)) continue;
    const info = fieldInfo(out, `${name}/${key}`, prop);
    if (Object.keys(info).length > 0) fields[key] = info;
  }
  out.defs[name] = fields;
}

function fieldInfo(out: SchemaData, path: string, prop: JsonObject): FieldInfo {
  const info: FieldInfo = {};
  const ref = typeRef(out, path, prop);
  if (ref) info.r = ref;
  const items = prop['items'];
  if (isObject(items)) {
    const item = typeRef(out, `${path}[]`, items);
    if (item) info.i = item;
  }
  const values = prop['additionalProperties'];
  if (isObject(values)) {
    const value = typeRef(out, `${path}{}`, values);
    if (value) info.m = value;
  }
  if (prop['type'] === 'array') info.l = true;
  const strategy = prop[STRATEGY_KEY];
  if (typeof strategy === 'string') {
    info.s = strategy;
    const mapKeys = prop[MAP_KEYS];
    const mergeKey = prop[MERGE_KEY];
    if (Array.isArray(mapKeys)) info.k = mapKeys.map(str);
    else if (typeof mergeKey === 'string') info.k = [mergeKey];
  }
  return info;
}

/** The definition a schema node stands for: its `$ref`, or a synthetic one for inline properties. */
function typeRef(out: SchemaData, path: string, node: JsonObject): string | undefined {
  const ref = node['$ref'];
  if (typeof ref === 'string') return ref.replace(/^#\/definitions\//, '');
  if (isObject(node['properties'])) {
    addDefinition(out, path, node);
    return path;
  }
  return undefined;
}

function str(v: JsonValue | undefined): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}
