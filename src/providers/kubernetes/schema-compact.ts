/**
 * OpenAPI v3 documents of an API server reduced to what `sluice validate` reads (types,
 * enums, properties), without descriptions: the shipped schema (scripts/gen-kube-schema.ts)
 * and the one read from a cluster with `--schema-from-cluster` are made the same way.
 */

export interface CompactSchema {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  required?: string[];
  intOrString?: boolean;
  open?: boolean;
  properties?: Record<string, CompactSchema>;
  items?: CompactSchema;
  additionalProperties?: CompactSchema;
}

export interface SchemaBundle {
  /** The API server's version (gitVersion). */
  version: string;
  /** `apps/v1/Deployment` → the type name in `schemas`. */
  kinds: Record<string, string>;
  schemas: Record<string, CompactSchema>;
}

type Json = Record<string, unknown>;

export interface OpenApiDocument {
  components?: { schemas?: Record<string, unknown> };
}

const short = (ref: string) => ref.replace('#/components/schemas/', '');

/** Only what validation reads; `$ref` wrapped in allOf (for defaults) is unwrapped. */
export function compact(s: Json): CompactSchema {
  const out: CompactSchema = {};
  const allOf = s.allOf as Json[] | undefined;
  if (allOf?.length === 1 && allOf[0]!.$ref) out.$ref = short(allOf[0]!.$ref as string);
  if (s.$ref) out.$ref = short(s.$ref as string);
  if (typeof s.type === 'string') out.type = s.type;
  if (Array.isArray(s.enum)) out.enum = s.enum as unknown[];
  if (Array.isArray(s.required)) out.required = s.required as string[];
  if (s['x-kubernetes-int-or-string']) out.intOrString = true;
  if (s['x-kubernetes-preserve-unknown-fields']) out.open = true;
  if (s.properties) {
    const props: Record<string, CompactSchema> = {};
    for (const [k, v] of Object.entries(s.properties as Json)) props[k] = compact(v as Json);
    out.properties = props;
  }
  if (s.items && typeof s.items === 'object') out.items = compact(s.items as Json);
  if (s.additionalProperties && typeof s.additionalProperties === 'object')
    out.additionalProperties = compact(s.additionalProperties as Json);
  return out;
}

/** Every type of the documents, and the kinds that can be applied (not *List), as one bundle. */
export function bundleOf(version: string, documents: OpenApiDocument[]): SchemaBundle {
  const schemas: Record<string, CompactSchema> = {};
  const kinds: Record<string, string> = {};
  for (const doc of documents) {
    for (const [name, raw] of Object.entries(doc.components?.schemas ?? {})) {
      const schema = raw as Json;
      schemas[name] = compact(schema);
      for (const gvk of (schema['x-kubernetes-group-version-kind'] as Json[] | undefined) ?? []) {
        const apiVersion = gvk.group ? `${gvk.group as string}/${gvk.version as string}` : (gvk.version as string);
        // Lists and the like are never applied; a kind's own type has metadata and is not *List.
        if (!(gvk.kind as string).endsWith('List') && schema.properties)
          kinds[`${apiVersion}/${gvk.kind as string}`] = name;
      }
    }
  }
  return { version, kinds, schemas };
}
