import { RenderError } from '../../../errors/index.js';
import { isObject, type JsonValue } from '../model/json.js';
import { mergeFieldSpecs, parseFieldSpecs, type FieldSpec } from '../config/transformer-config.js';
import { listField, stringField, stringList, stringMapField, typeError } from '../load/kustfile.js';
import { applyPatch, loadPatch } from '../patch/apply.js';
import { labelsAndAnnotationsAsText } from '../patch/legacy-metadata.js';
import { parseSelector } from '../patch/selector.js';
import { applyReplacements, loadReplacements } from '../refs/replacements.js';
import { setImages, type ImageRule } from '../transform/images.js';
import { setStringEntries } from '../transform/metadata.js';
import { addNameAffix } from '../transform/names.js';
import { setNamespace } from '../transform/namespace.js';
import { setReplicas } from '../transform/replicas.js';
import { builtinOrigin, recordTransformation, schemaOf, type Accumulator, type Target } from './accumulator.js';

/**
 * The kustomization's own transformers, in kustomize's fixed order: strategic-merge patches,
 * patches, namespace, prefix, suffix, labels, annotations, JSON 6902 patches, replicas,
 * images, replacements.
 */
export function runKustomizationTransformers(t: Target, ra: Accumulator): void {
  const { k, ldr } = t;
  const m = ra.resMap;
  const tc = ra.config;
  const record = (kind: string) => recordTransformation(t, m, builtinOrigin(t, kind));

  const smp = stringList(k, 'patchesStrategicMerge');
  for (const [j, entry] of smp.entries()) {
    let loaded;
    let text = entry;
    if (!entry.includes('\n') && ldr.isFileLike(entry)) {
      const read = ldr.readText(entry, k.file);
      text = read.text;
      loaded = loadPatch(text, read.path);
    } else {
      loaded = loadPatch(entry, k.file, { within: k.enclosing(['patchesStrategicMerge', j], 0) });
    }
    if (loaded.kind === 'smp') labelsAndAnnotationsAsText(text, loaded.docs);
    applyPatch(m, loaded, undefined, k.file, schemaOf(t));
  }
  if (smp.length > 0) record('PatchStrategicMergeTransformer');

  listField(k, 'patches').forEach((v, i) => {
    if (!isObject(v)) throw typeError(k, `patches[${i}]`, 'a map');
    const path = typeof v['path'] === 'string' ? v['path'] : '';
    const inline = typeof v['patch'] === 'string' ? v['patch'].trim() : '';
    if (path === '' && inline === '') {
      throw new RenderError('KUSTOMIZE_PATCH', `${k.file}: must specify one of patch and path in patches[${i}]`, {
        file: k.file,
        line: k.lines.get('patches'),
      });
    }
    if (path !== '' && inline !== '') {
      throw new RenderError(
        'KUSTOMIZE_PATCH',
        `${k.file}: patch and path can't be set at the same time in patches[${i}]`,
        { file: k.file, line: k.lines.get('patches') },
      );
    }
    const opts = isObject(v['options']) ? v['options'] : {};
    const po = {
      allowNameChange: opts['allowNameChange'] === true,
      allowKindChange: opts['allowKindChange'] === true,
      allowEmpty: true,
    };
    let loaded;
    if (path) {
      const { text, path: real } = ldr.readText(path, k.file);
      loaded = loadPatch(text, real, po);
    } else
      loaded = loadPatch(inline, k.file, {
        ...po,
        within: k.enclosing(['patches', i, 'patch'], droppedLines(v['patch'])),
      });
    applyPatch(m, loaded, parseSelector(v['target'], k.file), k.file, schemaOf(t));
    record('PatchTransformer');
  });

  const namespace = stringField(k, 'namespace');
  if (namespace) {
    setNamespace(m, tc.namespace, { namespace, file: k.file, source: k.source(['namespace']) });
    record('NamespaceTransformer');
  }

  const prefix = stringField(k, 'namePrefix');
  if (prefix) {
    addNameAffix(m, prefix, tc.namePrefix, 'prefix', k.source(['namePrefix']));
    record('PrefixTransformer');
  }
  const suffix = stringField(k, 'nameSuffix');
  if (suffix) {
    addNameAffix(m, suffix, tc.nameSuffix, 'suffix', k.source(['nameSuffix']));
    record('SuffixTransformer');
  }

  const labels = listField(k, 'labels');
  labels.forEach((v, i) => {
    if (!isObject(v)) throw typeError(k, `labels[${i}]`, 'a map');
    const pairs = stringMapOf(v['pairs'], () => typeError(k, `labels[${i}].pairs`, 'a map of strings'));
    let specs: FieldSpec[] = mergeFieldSpecs(parseFieldSpecs(v['fields'], k.file), tc.labels);
    if (v['includeSelectors'] === true) specs = mergeFieldSpecs(specs, tc.commonLabels);
    else {
      if (v['includeTemplates'] === true) specs = mergeFieldSpecs(specs, tc.templateLabels);
      specs = mergeFieldSpecs(specs, [
        { gvk: { group: '', version: '', kind: '' }, path: 'metadata/labels', create: true },
      ]);
    }
    setStringEntries(m, pairs, specs, (key) => k.source(['labels', i, 'pairs', key]));
    record('LabelTransformer');
  });
  const commonLabels = stringMapField(k, 'commonLabels');
  setStringEntries(m, commonLabels, tc.commonLabels, (key) => k.source(['commonLabels', key]));
  // kustomize configures the commonLabels transformer whenever any labels are set, even empty.
  if (labels.length > 0 || Object.keys(commonLabels).length > 0) record('LabelTransformer');
  const commonAnnotations = stringMapField(k, 'commonAnnotations');
  setStringEntries(m, commonAnnotations, tc.commonAnnotations, (key) => k.source(['commonAnnotations', key]));
  if (Object.keys(commonAnnotations).length > 0) record('AnnotationsTransformer');

  listField(k, 'patchesJson6902').forEach((v, i) => {
    if (!isObject(v)) throw typeError(k, `patchesJson6902[${i}]`, 'a map');
    const target = parseSelector(v['target'], k.file);
    let loaded;
    if (typeof v['path'] === 'string' && v['path'] !== '') {
      const { text, path } = ldr.readText(v['path'], k.file);
      loaded = loadPatch(text, path);
    } else if (typeof v['patch'] === 'string')
      loaded = loadPatch(v['patch'], k.file, { within: k.enclosing(['patchesJson6902', i, 'patch'], 0) });
    else
      throw new RenderError('KUSTOMIZE_PATCH', `${k.file}: patchesJson6902[${i}] needs path or patch`, {
        file: k.file,
      });
    if (loaded.kind !== 'json') {
      throw new RenderError(
        'KUSTOMIZE_PATCH',
        `${loaded.source}: patchesJson6902 entries must hold a JSON patch (a list of operations)`,
        { file: loaded.source },
      );
    }
    applyPatch(m, loaded, target, k.file, schemaOf(t));
    record('PatchJson6902Transformer');
  });

  listField(k, 'replicas').forEach((v, i) => {
    if (!isObject(v) || typeof v['name'] !== 'string')
      throw typeError(k, `replicas[${i}]`, 'a map with name and count');
    const count = typeof v['count'] === 'number' ? v['count'] : 0;
    setReplicas(m, { name: v['name'], count, source: k.source(['replicas', i, 'count']) }, tc.replicas, k.file);
    record('ReplicaCountTransformer');
  });

  const named = listField(k, 'images');
  const images = [...named, ...listField(k, 'imageTags')];
  images.forEach((v, i) => {
    const rule = imageRule(v, () => typeError(k, `images[${i}]`, 'a map with name'));
    const at = i < named.length ? ['images', i] : ['imageTags', i - named.length];
    rule.sourceOf = (field) => k.source([...at, field]);
    setImages(m, [rule], tc.images);
    record('ImageTagTransformer');
  });

  const replacements = loadReplacements(ldr, listField(k, 'replacements'), k.file, (at) =>
    k.source(['replacements', ...at]),
  );
  if (replacements.length > 0) {
    applyReplacements(m, replacements, k.file);
    record('ReplacementTransformer');
  }
}

export function imageRule(v: JsonValue, err: () => Error): ImageRule {
  if (!isObject(v) || typeof v['name'] !== 'string') throw err();
  const s = (x: JsonValue | undefined) => (x === undefined || x === null ? undefined : String(x));
  return {
    name: v['name'],
    newName: s(v['newName']),
    newTag: s(v['newTag']),
    digest: s(v['digest']),
    tagSuffix: s(v['tagSuffix']),
  };
}

/** Line breaks `trim()` takes off the start of an inline patch. */
function droppedLines(v: JsonValue | undefined): number {
  if (typeof v !== 'string') return 0;
  return (/^\s*/.exec(v)![0].match(/\n/g) ?? []).length;
}

function stringMapOf(v: JsonValue | undefined, err: () => Error): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw err();
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string') throw err();
    out[k] = x;
  }
  return out;
}
