import { emptyConfig, type TransformerConfig } from '../config/transformer-config.js';
import type { Kustomization } from '../load/kustfile.js';
import type { Loader } from '../load/loader.js';
import type { Var } from '../refs/vars.js';
import { ResMap } from '../resource/resmap.js';
import type { SchemaData } from '../patch/schema.js';
import type { OriginInfo } from '../resource/resource.js';
import type { OpenApiChoice } from './openapi.js';

/** What a kustomization and everything below it produced so far. */
export interface Accumulator {
  resMap: ResMap;
  config: TransformerConfig;
  vars: Var[];
}

export interface Target {
  ldr: Loader;
  k: Kustomization;
  /** buildMetadata of the top kustomization, which kustomize passes down unchanged. */
  buildMetadata: string[];
  /** Path from the top kustomization root to this one, for origin annotations. */
  originPath: string;
  /** The build's schema choice, shared by every kustomization in it. */
  openapi: OpenApiChoice;
}

/** Reads resource files and kustomization directories into an accumulator. */
export type AccumulateResources = (t: Target, ra: Accumulator, paths: string[]) => void;

export function emptyAccumulator(): Accumulator {
  return { resMap: new ResMap(), config: emptyConfig(), vars: [] };
}

/** filepath.Join of origin paths: `..` cancels a preceding segment, `.` and empties vanish. */
export function joinOrigin(base: string, p: string): string {
  if (!base) return cleanOrigin(p);
  return cleanOrigin(`${base}/${p}`);
}

function cleanOrigin(p: string): string {
  const out: string[] = [];
  for (const s of p.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else out.push(s);
  }
  return out.join('/');
}

export function baseName(p: string): string {
  return p.split('/').pop()!;
}

/** Where a builtin configured by this kustomization's own fields says it came from. */
export function builtinOrigin(t: Target, kind: string): OriginInfo {
  return { configuredIn: joinOrigin(t.originPath, baseName(t.k.file)), configuredBy: { apiVersion: 'builtin', kind } };
}

/**
 * kustomize tracks transformers only when the top kustomization asks for any build metadata;
 * then every transformer that was configured marks every resource in the map, whether or not
 * it changed it. A resource with no origin yet takes the transformer as its origin.
 */
export function recordTransformation(t: Target, m: ResMap, origin: OriginInfo | undefined): void {
  if (t.buildMetadata.length === 0 || origin === undefined) return;
  for (const r of m.list) {
    if (r.origin === undefined) r.origin = origin;
    else r.transformations.push(origin);
  }
}

/** The schema lookup patches of this build use. */
export function schemaOf(t: Target): () => SchemaData | undefined {
  return () => t.openapi.forPatch();
}
