import { RenderError } from '../../../errors/index.js';
import { deepCopy, isObject, type JsonObject, type JsonValue } from '../model/json.js';
import { idEquals, idString } from '../resource/gvk.js';
import type { ResMap } from '../resource/resmap.js';
import { YamlLines, type Enclosing } from '../resource/provenance.js';
import { Resource } from '../resource/resource.js';
import { parseYamlDocs } from '../yaml/parse.js';
import { applyJsonPatch, parseJsonPatch, type JsonPatchOp } from './json6902.js';
import { schemaForType, type SchemaData } from './schema.js';
import { noteJsonOp, noteMergePatch } from './provenance.js';
import { selects, type Selector } from './selector.js';
import { strategicMerge } from './strategic-merge.js';

export type LoadedPatch =
  | { kind: 'smp'; docs: Resource[]; source: string }
  | { kind: 'json'; ops: JsonPatchOp[]; source: string; lines: YamlLines; line: number };

/** Reads a patch's text and decides, as kustomize does, whether it is a JSON patch or SMP. */
export interface PatchOptions {
  allowNameChange?: boolean;
  allowKindChange?: boolean;
  /** kustomize's PatchTransformer (`patches:`) lets a patch with no documents do nothing. */
  allowEmpty?: boolean;
  /** Where the text sits in `source` when it is written inside a kustomization. */
  within?: Enclosing;
}

export function loadPatch(text: string, source: string, opts: PatchOptions = {}): LoadedPatch {
  const docs = parseYamlDocs(text, source);
  const lines = new YamlLines(text, opts.within);
  if (docs.length > 0 && Array.isArray(docs[0]!.value))
    return { kind: 'json', ops: parseJsonPatch(docs[0]!.value, source), source, lines, line: docs[0]!.line };
  const res: Resource[] = [];
  for (const d of docs) {
    if (!isObject(d.value)) {
      throw new RenderError('KUSTOMIZE_PATCH', `${source}: unable to parse SM or JSON patch`, {
        file: source,
        line: d.line,
      });
    }
    const r = new Resource(d.value, { file: source, line: d.line });
    r.lines = lines;
    r.allowNameChange = !!opts.allowNameChange;
    r.allowKindChange = !!opts.allowKindChange;
    res.push(r);
  }
  if (res.length === 0 && !opts.allowEmpty) {
    throw new RenderError('KUSTOMIZE_PATCH', `${source}: unable to parse SM or JSON patch: it is empty`, {
      file: source,
      hint: 'Give the patch a resource to merge or a list of JSON patch operations, or remove the entry.',
    });
  }
  return { kind: 'smp', docs: res, source };
}

/** Applies one strategic merge patch; returns false when the patch deleted the resource. */
export function applySmp(r: Resource, patch: Resource, schema?: SchemaData): boolean {
  const { name, namespace, kind } = { name: r.name, namespace: r.namespace, kind: r.kind };
  if (patch.allowNameChange || patch.allowKindChange) r.storePreviousId();
  const type = schemaForType(r.apiVersion, r.kind, schema);
  const follow = r.provenance.follow(r.obj);
  const merged = strategicMerge(r.obj, deepCopy(patch.obj), type);
  if (merged === undefined || Object.keys(merged).length === 0) return false;
  r.obj = merged;
  follow(merged);
  noteMergePatch(r, patch, type);
  if (!patch.allowKindChange) r.kind = kind;
  if (!patch.allowNameChange) r.name = name;
  r.namespace = namespace;
  return true;
}

function dropDeleted(m: ResMap, deleted: Set<Resource>): void {
  if (deleted.size > 0) m.list = m.list.filter((r) => !deleted.has(r));
}

/**
 * `schema` gives the OpenAPI data a kustomization chose with `openapi:` (undefined: the
 * built-in one); it is asked only when a strategic merge actually runs.
 */
export function applyPatch(
  m: ResMap,
  p: LoadedPatch,
  target: Selector | undefined,
  where: string,
  schema?: () => SchemaData | undefined,
): void {
  if (p.kind === 'json') {
    if (!target) {
      throw new RenderError('KUSTOMIZE_PATCH', `must specify a target for JSON patch ${p.source}`, {
        file: where,
        hint: 'Add a target: with kind and name.',
      });
    }
    for (const r of m.list.filter((x) => selects(target, x))) {
      r.storePreviousId();
      // kustomize's bookkeeping annotations are on the object while the patch runs, so a
      // patch may add under /metadata/annotations even when the user wrote none.
      const meta = r.meta();
      if (!isObject(meta['annotations'])) meta['annotations'] = {};
      r.obj = applyJsonPatch(r.obj, p.ops, p.source, (i) => {
        // An op that adds or removes a list element moves the ones after it.
        const follow = r.provenance.follow(r.obj);
        return () => {
          follow(r.obj);
          noteJsonOp(r, p.ops[i]!, i, p);
        };
      });
      const ann = r.obj['metadata'];
      // kustomize re-sets annotations after a JSON patch, which drops an empty map.
      if (isObject(ann) && isObject(ann['annotations']) && Object.keys(ann['annotations']).length === 0)
        delete ann['annotations'];
    }
    return;
  }
  if (p.docs.length === 0) return;
  const deleted = new Set<Resource>();
  if (target) {
    if (p.docs.length > 1) {
      throw new RenderError(
        'KUSTOMIZE_PATCH',
        `Multiple Strategic-Merge Patches in one \`patches\` entry is not allowed to set \`patches.target\` field: ${p.source}`,
        { file: where },
      );
    }
    const patch = p.docs[0]!;
    for (const r of m.list.filter((x) => selects(target, x))) {
      const copy = patch.copy();
      const obj: JsonObject = copy.obj;
      obj['apiVersion'] = r.apiVersion;
      obj['kind'] = patch.kind;
      if (!applySmp(r, copy, schema?.())) deleted.add(r);
    }
    dropDeleted(m, deleted);
    return;
  }
  for (const patch of p.docs) {
    const id = patch.orgId();
    const hits = m.byAnyId((x) => idEquals(x, id)).filter((r) => !deleted.has(r));
    if (hits.length !== 1) {
      const why = hits.length === 0 ? 'no matches for Id' : 'multiple matches for Id';
      throw new RenderError(
        'KUSTOMIZE_PATCH_TARGET',
        `no resource matches strategic merge patch "${idString(id)}": ${why} ${idString(id)}; failed to find unique target for patch ${idString(id)}`,
        {
          file: patch.source?.file ?? where,
          line: patch.source?.line,
          resource: `${id.gvk.kind}/${id.name}`,
          hint: 'The patch names a resource that is not in the build; check its kind, name and namespace, or give the patch a target.',
        },
      );
    }
    if (!applySmp(hits[0]!, patch, schema?.())) deleted.add(hits[0]!);
  }
  dropDeleted(m, deleted);
}

export function patchFromValue(v: JsonValue): JsonValue {
  return v;
}
