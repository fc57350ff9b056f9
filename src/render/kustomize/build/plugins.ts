import { RenderError } from '../../../errors/index.js';
import { isObject, type JsonObject, type JsonValue } from '../model/json.js';
import { mergeFieldSpecs, parseFieldSpecs, type FieldSpec } from '../config/transformer-config.js';
import { generate, mergeOptions, parseGeneratorArgs, parseOptions } from '../generate/generators.js';
import { applyPatch, loadPatch } from '../patch/apply.js';
import { parseSelector } from '../patch/selector.js';
import { applyReplacements, loadReplacements } from '../refs/replacements.js';
import type { Resource } from '../resource/resource.js';
import { setImages } from '../transform/images.js';
import { setStringEntries } from '../transform/metadata.js';
import { addNameAffix } from '../transform/names.js';
import { setNamespace, type SubjectMode } from '../transform/namespace.js';
import { setReplicas } from '../transform/replicas.js';
import { resourcesFromText } from './resources.js';
import { accumulateResources, emptyAccumulator, type Accumulator, type Target } from './target.js';
import { imageRule } from './transformers.js';

/**
 * `generators:` and `transformers:` entries naming kustomize's builtin plugins
 * (`apiVersion: builtin`). Exec and Go plugins would run code from the repository, which a
 * renderer must never do, so anything else is refused with a clear message.
 */
function pluginConfigs(t: Target, entries: string[]): Resource[] {
  const out: Resource[] = [];
  const paths: string[] = [];
  for (const e of entries) {
    if (e.includes('\n') || (!t.ldr.isDir(e) && /:\s/.test(e))) out.push(...resourcesFromText(e, t.k.file));
    else paths.push(e);
  }
  const acc = emptyAccumulator();
  accumulateResources(t, acc, paths);
  out.push(...acc.resMap.list);
  for (const r of out) {
    if (r.apiVersion !== 'builtin') {
      throw new RenderError('KUSTOMIZE_PLUGIN_UNSUPPORTED', `plugin ${r.apiVersion}/${r.kind} '${r.name}' is not supported: only builtin plugin configs (apiVersion: builtin) can be used`, {
        file: r.source?.file ?? t.k.file,
        line: r.source?.line,
        hint: 'Exec, container and Go plugins would run code from the repository; use builtin transformers or plain patches instead.',
      });
    }
  }
  return out;
}

export function runPluginGenerators(t: Target, entries: string[]): Resource[] {
  if (entries.length === 0) return [];
  const global = parseOptions(t.k.raw['generatorOptions']);
  return pluginConfigs(t, entries).map((c) => {
    const kind = c.kind === 'ConfigMapGenerator' ? 'ConfigMap' : c.kind === 'SecretGenerator' ? 'Secret' : undefined;
    if (!kind) throw unsupported(c, t);
    const args = parseGeneratorArgs({ ...c.obj, name: c.name, namespace: c.namespace }, c.source?.file ?? t.k.file, kind);
    args.options = mergeOptions(args.options, global);
    return generate(t.ldr, kind, args, c.source?.file ?? t.k.file);
  });
}

function unsupported(c: Resource, t: Target): RenderError {
  return new RenderError('KUSTOMIZE_PLUGIN_UNSUPPORTED', `builtin plugin ${c.kind} is not supported`, {
    file: c.source?.file ?? t.k.file,
    line: c.source?.line,
    hint: 'Use the equivalent kustomization field (namePrefix, labels, patches, images…).',
  });
}

const ANY: FieldSpec = { gvk: { group: '', version: '', kind: '' }, path: '', create: false };

function strMap(v: JsonValue | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (isObject(v)) for (const [k, x] of Object.entries(v)) out[k] = typeof x === 'string' ? x : String(x);
  return out;
}

export function runPluginTransformers(t: Target, ra: Accumulator, entries: string[]): void {
  if (entries.length === 0) return;
  const m = ra.resMap;
  for (const c of pluginConfigs(t, entries)) {
    const o: JsonObject = c.obj;
    const file = c.source?.file ?? t.k.file;
    const specs = parseFieldSpecs(o['fieldSpecs'], file);
    switch (c.kind) {
      case 'PrefixSuffixTransformer':
      case 'PrefixTransformer':
      case 'SuffixTransformer': {
        const fs = specs.length ? specs : [{ ...ANY, path: 'metadata/name' }];
        if (typeof o['prefix'] === 'string' && o['prefix']) addNameAffix(m, o['prefix'], fs, 'prefix');
        if (typeof o['suffix'] === 'string' && o['suffix']) addNameAffix(m, o['suffix'], fs, 'suffix');
        break;
      }
      case 'LabelTransformer':
        setStringEntries(m, strMap(o['labels']), specs);
        break;
      case 'AnnotationsTransformer':
        setStringEntries(m, strMap(o['annotations']), specs);
        break;
      case 'NamespaceTransformer':
        setNamespace(m, mergeFieldSpecs([], specs), {
          namespace: c.namespace,
          unsetOnly: o['unsetOnly'] === true,
          subjects: (o['setRoleBindingSubjects'] as SubjectMode | undefined) ?? 'defaultOnly',
          file,
        });
        break;
      case 'ImageTagTransformer':
        setImages(m, [imageRule(o['imageTag'] ?? null, () => unsupported(c, t))], specs);
        break;
      case 'ReplicaCountTransformer': {
        const rep = isObject(o['replica']) ? o['replica'] : {};
        setReplicas(m, { name: String(rep['name'] ?? ''), count: typeof rep['count'] === 'number' ? rep['count'] : 0 }, specs, file);
        break;
      }
      case 'PatchTransformer': {
        const path = typeof o['path'] === 'string' ? o['path'] : '';
        const inline = typeof o['patch'] === 'string' ? o['patch'].trim() : '';
        const opts = isObject(o['options']) ? o['options'] : {};
        const po = { allowNameChange: opts['allowNameChange'] === true, allowKindChange: opts['allowKindChange'] === true };
        const loaded = path ? loadPatch(t.ldr.readText(path, file).text, path, po) : loadPatch(inline, file, po);
        applyPatch(m, loaded, parseSelector(o['target'], file), file);
        break;
      }
      case 'PatchStrategicMergeTransformer': {
        for (const p of Array.isArray(o['paths']) ? o['paths'] : []) {
          if (typeof p === 'string') applyPatch(m, loadPatch(t.ldr.readText(p, file).text, p), undefined, file);
        }
        if (typeof o['patches'] === 'string') applyPatch(m, loadPatch(o['patches'], file), undefined, file);
        break;
      }
      case 'PatchJson6902Transformer': {
        const text = typeof o['path'] === 'string' && o['path'] ? t.ldr.readText(o['path'], file).text : String(o['jsonOp'] ?? '');
        applyPatch(m, loadPatch(text, file), parseSelector(o['target'], file), file);
        break;
      }
      case 'ReplacementTransformer':
        applyReplacements(m, loadReplacements(t.ldr, Array.isArray(o['replacements']) ? o['replacements'] : [], file), file);
        break;
      default:
        throw unsupported(c, t);
    }
  }
}
