import { RenderError } from '../../../errors/index.js';
import { isObject, type JsonObject, type JsonValue } from '../model/json.js';
import { mergeFieldSpecs, parseFieldSpecs, type FieldSpec } from '../config/transformer-config.js';
import { generate, mergeOptions, parseGeneratorArgs, parseOptions } from '../generate/generators.js';
import { applyPatch, loadPatch } from '../patch/apply.js';
import { parseSelector } from '../patch/selector.js';
import { applyReplacements, loadReplacements } from '../refs/replacements.js';
import type { ResMap } from '../resource/resmap.js';
import type { OriginInfo, Resource } from '../resource/resource.js';
import { generateIamPolicy } from '../generate/iam-policy.js';
import { setImages } from '../transform/images.js';
import { setStringEntries } from '../transform/metadata.js';
import { addNameAffix } from '../transform/names.js';
import { setNamespace, type SubjectMode } from '../transform/namespace.js';
import { setReplicas } from '../transform/replicas.js';
import { resourcesFromText } from './resources.js';
import {
  baseName,
  emptyAccumulator,
  joinOrigin,
  recordTransformation,
  schemaOf,
  type Accumulator,
  type AccumulateResources,
  type Target,
} from './accumulator.js';
import { imageRule } from './transformers.js';

/**
 * `generators:` and `transformers:` entries naming kustomize's builtin plugins
 * (`apiVersion: builtin`). Exec and Go plugins would run code from the repository, which a
 * renderer must never do, so anything else is refused with a clear message.
 */
function pluginConfigs(t: Target, entries: string[], accumulateResources: AccumulateResources): Resource[] {
  const out: Resource[] = [];
  const paths: string[] = [];
  const inlineOrigin = { path: joinOrigin(t.originPath, baseName(t.k.file)) };
  for (const e of entries) {
    if (e.includes('\n') || (!t.ldr.isDir(e) && /:\s/.test(e))) {
      for (const r of resourcesFromText(e, t.k.file)) {
        r.origin = inlineOrigin;
        out.push(r);
      }
    } else paths.push(e);
  }
  const acc = emptyAccumulator();
  accumulateResources(t, acc, paths);
  out.push(...acc.resMap.list);
  for (const r of out) {
    if (r.apiVersion !== 'builtin') {
      throw new RenderError(
        'KUSTOMIZE_PLUGIN_UNSUPPORTED',
        `plugin ${r.apiVersion}/${r.kind} '${r.name}' is not supported: only builtin plugin configs (apiVersion: builtin) can be used`,
        {
          file: r.source?.file ?? t.k.file,
          line: r.source?.line,
          hint: 'Exec, container and Go plugins would run code from the repository; use builtin transformers or plain patches instead.',
        },
      );
    }
  }
  return out;
}

/** kustomize's OriginFromCustomPlugin: the plugin config's own path and identity. */
function pluginOrigin(c: Resource): OriginInfo | undefined {
  if (c.origin === undefined) return undefined;
  const by: NonNullable<OriginInfo['configuredBy']> = { apiVersion: c.apiVersion, kind: c.kind, name: c.name };
  if (c.namespace) by.namespace = c.namespace;
  return { configuredIn: c.origin.path ?? '', configuredBy: by };
}

export function runPluginGenerators(
  t: Target,
  entries: string[],
  accumulateResources: AccumulateResources,
): Resource[] {
  if (entries.length === 0) return [];
  const global = parseOptions(t.k.raw['generatorOptions']);
  return pluginConfigs(t, entries, accumulateResources).flatMap((c) => {
    const file = c.source?.file ?? t.k.file;
    const generated = generateFrom(c, t, file, global);
    const origin = pluginOrigin(c);
    for (const r of generated) if (r.origin === undefined) r.origin = origin;
    return generated;
  });
}

function generateFrom(c: Resource, t: Target, file: string, global: ReturnType<typeof parseOptions>): Resource[] {
  if (c.kind === 'IAMPolicyGenerator') return generateIamPolicy(c.obj, file, c.source?.line);
  const kind = c.kind === 'ConfigMapGenerator' ? 'ConfigMap' : c.kind === 'SecretGenerator' ? 'Secret' : undefined;
  if (!kind) throw unsupported(c, t);
  // The generator's own name and namespace fields win; metadata only fills them when empty.
  const own = (f: string) => (typeof c.obj[f] === 'string' && c.obj[f] !== '' ? c.obj[f] : undefined);
  const args = parseGeneratorArgs(
    { ...c.obj, name: own('name') ?? c.name, namespace: own('namespace') ?? c.namespace },
    file,
    kind,
  );
  args.options = mergeOptions(args.options, global);
  return [generate(t.ldr, kind, args, file)];
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

export function runPluginTransformers(
  t: Target,
  ra: Accumulator,
  entries: string[],
  accumulateResources: AccumulateResources,
): void {
  if (entries.length === 0) return;
  const m = ra.resMap;
  for (const c of pluginConfigs(t, entries, accumulateResources)) {
    runPluginTransformer(t, m, c);
    recordTransformation(t, m, pluginOrigin(c));
  }
}

function runPluginTransformer(t: Target, m: ResMap, c: Resource): void {
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
      setReplicas(
        m,
        { name: String(rep['name'] ?? ''), count: typeof rep['count'] === 'number' ? rep['count'] : 0 },
        specs,
        file,
      );
      break;
    }
    case 'PatchTransformer': {
      const path = typeof o['path'] === 'string' ? o['path'] : '';
      const inline = typeof o['patch'] === 'string' ? o['patch'].trim() : '';
      const opts = isObject(o['options']) ? o['options'] : {};
      const po = {
        allowNameChange: opts['allowNameChange'] === true,
        allowKindChange: opts['allowKindChange'] === true,
        allowEmpty: true,
      };
      const loaded = path ? loadPatch(t.ldr.readText(path, file).text, path, po) : loadPatch(inline, file, po);
      applyPatch(m, loaded, parseSelector(o['target'], file), file, schemaOf(t));
      break;
    }
    case 'PatchStrategicMergeTransformer': {
      for (const p of Array.isArray(o['paths']) ? o['paths'] : []) {
        if (typeof p === 'string')
          applyPatch(m, loadPatch(t.ldr.readText(p, file).text, p), undefined, file, schemaOf(t));
      }
      if (typeof o['patches'] === 'string') applyPatch(m, loadPatch(o['patches'], file), undefined, file, schemaOf(t));
      break;
    }
    case 'PatchJson6902Transformer': {
      const text =
        typeof o['path'] === 'string' && o['path'] ? t.ldr.readText(o['path'], file).text : String(o['jsonOp'] ?? '');
      applyPatch(m, loadPatch(text, file), parseSelector(o['target'], file), file, schemaOf(t));
      break;
    }
    case 'ReplacementTransformer':
      applyReplacements(
        m,
        loadReplacements(t.ldr, Array.isArray(o['replacements']) ? o['replacements'] : [], file),
        file,
      );
      break;
    default:
      throw unsupported(c, t);
  }
}
