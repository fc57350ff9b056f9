import { RenderError } from '../../../errors/index.js';
import type { ReadonlyFs } from '../../../vfs/index.js';
import { normalizePath } from '../../../vfs/index.js';
import { emitDocument } from '../emit/emitter.js';
import { nameHash } from '../generate/hash.js';
import { isObject, setKey, type JsonObject } from '../model/json.js';
import { Loader, type LoadRestriction } from '../load/loader.js';
import { fixNameReferences } from '../refs/nameref.js';
import { resolveVars } from '../refs/vars.js';
import type { Resource } from '../resource/resource.js';
import { sortResources } from './sort.js';
import { accumulateTarget, emptyAccumulator, loadTarget } from './target.js';
import { originAnnotation, transformationsAnnotation } from './origin.js';

export interface BuildResult {
  resources: Resource[];
  /** Names of vars declared but never used (kustomize warns about these). */
  unusedVars: string[];
}

/** kustomize's MakeCustomizedResMap plus the finishing steps of `kustomize build`. */
export function build(fs: ReadonlyFs, dir: string, restriction: LoadRestriction = 'rootOnly'): BuildResult {
  const rootDir = normalizePath(dir);
  if (rootDir === '..' || rootDir.startsWith('../')) {
    throw new RenderError('PATH_ESCAPE', `${dir} resolves outside the root directory`, { file: dir });
  }
  if (fs.stat(rootDir) !== 'dir') {
    throw new RenderError('NOT_FOUND', `${dir}: no such directory`, {
      file: dir,
      hint: 'Point at a directory that holds a kustomization.yaml.',
    });
  }
  const ldr = new Loader(fs, fs.realPath(rootDir), restriction);
  const top = loadTarget(ldr, undefined, '');
  const ra = accumulateTarget(top, emptyAccumulator());
  for (const r of ra.resMap.list) {
    if (!r.needsHash) continue;
    const h = nameHash(r.obj);
    r.storePreviousId();
    r.name = `${r.name}-${h}`;
  }
  fixNameReferences(ra.resMap, ra.config.nameReference);
  const unusedVars = resolveVars(ra.resMap, ra.vars, ra.config.varReference);
  let list = ra.resMap.list.filter((r) => {
    const v = r.annotations()['config.kubernetes.io/local-config'];
    return v === undefined || v === 'false';
  });
  const keepsRawAnnotations =
    top.buildMetadata.includes('originAnnotations') && top.buildMetadata.includes('transformerAnnotations');
  if (!keepsRawAnnotations) for (const r of list) normalizeAnnotations(r);
  list = sortResources(list, top.k.raw['sortOptions'], top.k.file);
  const meta = top.buildMetadata;
  if (meta.includes('managedByLabel')) {
    for (const r of list) {
      const labels = r.meta();
      const l = isObject(labels['labels']) ? labels['labels'] : ((labels['labels'] = {}) as JsonObject);
      setKey(l, 'app.kubernetes.io/managed-by', 'kustomize-v5.8.1');
    }
  }
  if (meta.includes('originAnnotations')) {
    for (const r of list) {
      const a = originAnnotation(r);
      if (a !== undefined) setAnnotation(r, 'config.kubernetes.io/origin', a);
    }
  }
  if (meta.includes('transformerAnnotations')) {
    for (const r of list) {
      const a = transformationsAnnotation(r);
      if (a !== undefined) setAnnotation(r, 'alpha.config.kubernetes.io/transformations', a);
    }
  }
  return { resources: list, unusedVars };
}

/**
 * kustomize ends every build by rewriting each resource's annotations through its string-map
 * setter (to strip its bookkeeping), which turns values into strings and drops an empty map.
 */
function normalizeAnnotations(r: Resource): void {
  const meta = r.obj['metadata'];
  if (!isObject(meta) || !Object.prototype.hasOwnProperty.call(meta, 'annotations')) return;
  const a = meta['annotations'];
  if (!isObject(a) || Object.keys(a).length === 0) {
    delete meta['annotations'];
    return;
  }
  const out: JsonObject = {};
  for (const k of Object.keys(a)) {
    const v = a[k];
    setKey(out, k, typeof v === 'string' ? v : v === null || typeof v === 'object' ? '' : String(v));
  }
  meta['annotations'] = out;
}

function setAnnotation(r: Resource, key: string, value: string): void {
  const meta = r.meta();
  const a = isObject(meta['annotations']) ? meta['annotations'] : ((meta['annotations'] = {}) as JsonObject);
  setKey(a, key, value);
}

export function emitAll(resources: Resource[]): string {
  return resources.map((r) => emitDocument(r.obj)).join('---\n');
}
