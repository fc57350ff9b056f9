import { gunzipSync } from 'node:zlib';
import type { Resource } from '../../model/resource.js';
import type { ResourceIssue } from '../types.js';
import { KUBE_SCHEMAS } from './openapi-schemas.js';
import type { CompactSchema, SchemaBundle } from './schema-compact.js';

/**
 * Built-in kinds checked against the OpenAPI schema of the pinned Kubernetes version
 * (scripts/gen-kube-schema.ts), offline: unknown fields, wrong types and values outside an
 * enum (`imagePullPolicy: Sometimes`) fail `sluice validate` and the pipeline before any apply,
 * each at its field's path. Kinds the schema does not know (custom resources) are left to the
 * API server's dry run, unless the schema was read from the cluster, which includes its CRDs.
 */

type Schema = CompactSchema;
type Bundle = SchemaBundle;

let bundle: Bundle | undefined;
function load(): Bundle {
  return (bundle ??= JSON.parse(gunzipSync(Buffer.from(KUBE_SCHEMAS, 'base64')).toString('utf8')) as Bundle);
}

/** The Kubernetes version the shipped schema comes from. */
export function schemaVersion(): string {
  return load().version;
}

type Path = (string | number)[];

function typeOf(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function fits(type: string, v: unknown): boolean {
  const t = typeOf(v);
  if (type === 'number') return t === 'number' || t === 'integer';
  return t === type;
}

const MAX_ISSUES = 20;

function walk(value: unknown, schema: Schema, path: Path, issues: ResourceIssue[], schemas: Bundle['schemas']): void {
  if (issues.length >= MAX_ISSUES) return;
  let s = schema;
  // A reference may add nothing of its own, or (for a field's defaults) wrap the type it names.
  while (s.$ref) s = { ...schemas[s.$ref], ...s, $ref: schemas[s.$ref]?.$ref };
  // null unsets a field; the server accepts it wherever a value may be left out.
  if (value === null || value === undefined || s.open) return;
  const where = path.length ? path.join('.') : 'the object';
  if (s.intOrString) {
    if (typeof value !== 'string' && !Number.isInteger(value))
      issues.push({ path, message: `${where} must be an integer or a string, not ${typeOf(value)}` });
    return;
  }
  if (s.type && !fits(s.type, value)) {
    issues.push({
      path,
      message: `${where} must be ${s.type === 'integer' ? 'an' : 'a'} ${s.type}, not ${typeOf(value)}`,
    });
    return;
  }
  if (s.enum && !s.enum.includes(value)) {
    issues.push({
      path,
      message: `${where} is ${JSON.stringify(value)}, which is not one of ${s.enum.map((e) => JSON.stringify(e)).join(', ')}`,
    });
    return;
  }
  if (Array.isArray(value)) {
    if (s.items) value.forEach((v, i) => walk(v, s.items!, [...path, i], issues, schemas));
    return;
  }
  if (typeof value !== 'object') return;
  if (!s.properties && !s.additionalProperties) return; // a free-form object
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const sub = s.properties?.[key] ?? s.additionalProperties;
    if (sub) walk(v, sub, [...path, key], issues, schemas);
    else
      issues.push({
        path: [...path, key],
        message: `${path.length ? `${where} has an` : 'an'} unknown field "${key}"`,
        hint: 'Kubernetes refuses fields its schema does not have: check the spelling and the indentation.',
      });
  }
}

/** The resource against the shipped schema, or against `served`, one read from a cluster. */
export function checkSchema(r: Resource, served?: SchemaBundle): ResourceIssue[] {
  const { kinds, schemas, version } = served ?? load();
  const type = kinds[`${r.apiVersion}/${r.kind}`];
  if (!type) {
    const known = Object.keys(kinds).filter((k) => k.slice(0, k.lastIndexOf('/')) === r.apiVersion);
    // A built-in group names every kind it serves; a custom resource never lives in one.
    if (known.length === 0) return [];
    return [
      {
        path: ['kind'],
        message: `${r.apiVersion} has no kind "${r.kind}" in Kubernetes ${version}`,
        hint: `Kinds of ${r.apiVersion}: ${known.map((k) => k.slice(k.lastIndexOf('/') + 1)).join(', ')}.`,
      },
    ];
  }
  const issues: ResourceIssue[] = [];
  // status is the cluster's to write; Sluice never applies it.
  const { status: _status, ...declared } = r;
  walk(declared, { $ref: type }, [], issues, schemas);
  return issues;
}
