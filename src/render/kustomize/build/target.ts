import { RenderError } from '../../../errors/index.js';
import { isObject, type JsonValue } from '../model/json.js';
import { configFromValue, defaultConfig, mergeConfig } from '../config/transformer-config.js';
import { loadCrdConfig } from '../config/crds.js';
import { generate, mergeOptions, parseGeneratorArgs, parseOptions } from '../generate/generators.js';
import { listField, parseKustomization, stringList, type Kustomization } from '../load/kustfile.js';
import type { Loader } from '../load/loader.js';
import { idEquals, idString } from '../resource/gvk.js';
import type { Resource } from '../resource/resource.js';
import { parseYamlDocs } from '../yaml/parse.js';
import type { FieldPath } from '../resource/provenance.js';
import { runKustomizationTransformers } from './transformers.js';
import { runPluginGenerators, runPluginTransformers } from './plugins.js';
import { resourcesFromText } from './resources.js';
import { bindVars, parseVars, type Var } from '../refs/vars.js';
import { OpenApiChoice } from './openapi.js';
import { builtinOrigin, emptyAccumulator, joinOrigin, type Accumulator, type Target } from './accumulator.js';

export { emptyAccumulator, type Accumulator, type Target } from './accumulator.js';

/** Loads a kustomization; `parent` is the one that referenced it (none for the top). */
export function loadTarget(ldr: Loader, parent: Target | undefined, originPath: string): Target {
  const file = ldr.findKustomizationFile();
  if (!file) {
    throw new RenderError(
      'KUSTOMIZE_MISSING',
      `unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '${ldr.root}'`,
      {
        file: ldr.root,
        hint: 'Add a kustomization.yaml to the directory, or point at the directory that has one.',
      },
    );
  }
  const text = ldr.readText(file.slice(ldr.root === '.' ? 0 : ldr.root.length + 1), file).text;
  const k = parseKustomization(text, file);
  for (const f of ['helmCharts', 'helmChartInflationGenerator', 'helmGlobals']) {
    const v = k.raw[f];
    if (v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0)) {
      throw new RenderError('KUSTOMIZE_HELM_UNSUPPORTED', `${file}: ${f} is not supported`, {
        file,
        line: k.lines.get(f),
        field: f,
        hint: 'Render the chart to plain manifests (helm template) and list the output under resources.',
      });
    }
  }
  const openapi = parent?.openapi ?? new OpenApiChoice();
  openapi.apply(k, ldr, parent === undefined);
  return { ldr, k, buildMetadata: parent?.buildMetadata ?? stringList(k, 'buildMetadata'), originPath, openapi };
}

export function accumulateTarget(t: Target, ra: Accumulator): Accumulator {
  const { k } = t;
  const listed = stringList(t.k, 'resources');
  const bases = stringList(t.k, 'bases');
  accumulateResources(t, ra, [...listed, ...bases], (i) =>
    i < listed.length ? ['resources', i] : ['bases', i - listed.length],
  );
  let tc = defaultConfig();
  for (const p of stringList(k, 'configurations')) {
    const { text, path } = t.ldr.readText(p, k.file);
    for (const d of parseYamlDocs(text, path)) tc = mergeConfig(tc, configFromValue(d.value, path));
  }
  ra.config = mergeConfig(ra.config, tc);
  const crds = stringList(k, 'crds');
  if (crds.length > 0) ra.config = mergeConfig(ra.config, loadCrdConfig(t.ldr, crds, k.file));
  runGenerators(t, ra);
  for (const c of stringList(k, 'components')) {
    const child = t.ldr.child(c, k.file);
    const sub = loadTarget(child, t, joinOrigin(t.originPath, c));
    if (sub.k.kind !== 'Component') {
      throw new RenderError(
        'KUSTOMIZE_COMPONENT',
        `expected kind 'Component' for path '${child.root}' but got '${sub.k.kind}'`,
        {
          file: sub.k.file,
          hint: `Set kind: Component and apiVersion: kustomize.config.k8s.io/v1alpha1 in ${sub.k.file}, or list it under resources.`,
        },
      );
    }
    accumulateTarget(sub, ra);
  }
  runKustomizationTransformers(t, ra);
  runPluginTransformers(t, ra, stringList(k, 'transformers'), accumulateResources);
  if (stringList(k, 'validators').length > 0) {
    throw new RenderError('KUSTOMIZE_PLUGIN_UNSUPPORTED', `${k.file}: validators are not supported`, {
      file: k.file,
      line: k.lines.get('validators'),
    });
  }
  const vars = parseVars(listField(k, 'vars'), k.file);
  bindVars(ra.resMap, vars, k.file);
  mergeVars(ra, vars, k.file);
  return ra;
}

/** `entry(i)`: where the i-th path is written in the kustomization, for a path that is not there. */
export function accumulateResources(
  t: Target,
  ra: Accumulator,
  paths: string[],
  entry?: (i: number) => FieldPath,
): void {
  paths.forEach((p, i) => {
    try {
      accumulateResource(t, ra, p);
    } catch (e) {
      throw entry ? atEntry(e, t.k, entry(i)) : e;
    }
  });
}

/**
 * An entry that cannot be used (a file that is not there, a Component under resources) is
 * named at the line of the kustomization that lists it.
 */
function atEntry(e: unknown, k: Kustomization, at: FieldPath): unknown {
  if (!(e instanceof RenderError) || e.constructor !== RenderError) return e;
  if (e.location.file !== k.file || e.location.line !== undefined) return e;
  const line = k.source(at).line();
  if (line === undefined) return e;
  return new RenderError(e.code, e.message, { ...e.location, line, hint: e.hint, retry: e.retry, cause: e.cause });
}

function accumulateResource(t: Target, ra: Accumulator, p: string): void {
  if (t.ldr.isDir(p)) {
    const child = t.ldr.child(p, t.k.file);
    const sub = loadTarget(child, t, joinOrigin(t.originPath, p));
    if (sub.k.kind === 'Component') {
      throw new RenderError('KUSTOMIZE_COMPONENT', `expected kind != 'Component' for path '${child.root}'`, {
        file: t.k.file,
        hint: `${p} is a Component; list it under components, not resources.`,
      });
    }
    const subRa = accumulateTarget(sub, emptyAccumulator());
    ra.resMap.appendAll(subRa.resMap, t.k.file);
    ra.config = mergeConfig(ra.config, subRa.config);
    mergeVars(ra, subRa.vars, t.k.file);
    return;
  }
  const { text, path } = t.ldr.readText(p, t.k.file);
  const origin = joinOrigin(t.originPath, p);
  const batch = resourcesFromText(text, path);
  for (const r of batch) r.origin = { path: origin };
  t.openapi.noteResources(batch);
  ra.resMap.appendAll(batch);
}

function runGenerators(t: Target, ra: Accumulator): void {
  const { k } = t;
  const global = parseOptions(k.raw['generatorOptions']);
  for (const [field, kind] of [
    ['configMapGenerator', 'ConfigMap'],
    ['secretGenerator', 'Secret'],
  ] as const) {
    for (const v of listField(k, field)) {
      const args = parseGeneratorArgs(v, k.file, kind);
      args.options = mergeOptions(args.options, global);
      const r = generate(t.ldr, kind, args, k.file);
      r.origin = builtinOrigin(t, `${kind}Generator`);
      absorb(ra, r, k.file);
    }
  }
  for (const r of runPluginGenerators(t, stringList(k, 'generators'), accumulateResources)) absorb(ra, r, k.file);
}

/** Adds a generated resource, honouring its behavior against an existing one with the same id. */
export function absorb(ra: Accumulator, r: Resource, file: string): void {
  const id = r.curId();
  const matches = ra.resMap.byAnyId((x) => idEquals(x, id));
  if (matches.length === 0) {
    if (r.behavior === 'merge' || r.behavior === 'replace') {
      throw new RenderError('KUSTOMIZE_GENERATOR', `id ${idString(id)} does not exist; cannot merge or replace`, {
        file,
        resource: `${id.gvk.kind}/${id.name}`,
        hint: 'behavior: merge/replace needs a generator of the same name in a base.',
      });
    }
    ra.resMap.append(r, file);
    return;
  }
  if (matches.length > 1) {
    throw new RenderError('KUSTOMIZE_GENERATOR', `found multiple objects that could accept merge of ${idString(id)}`, {
      file,
    });
  }
  const old = matches[0]!;
  if (r.behavior !== 'merge' && r.behavior !== 'replace') {
    throw new RenderError('KUSTOMIZE_GENERATOR', `id ${idString(id)} exists; behavior must be merge or replace`, {
      file,
      resource: `${id.gvk.kind}/${id.name}`,
      hint: 'Set behavior: merge or behavior: replace on the generator in the overlay.',
    });
  }
  r.setStringMap('labels', { ...old.labels(), ...r.labels() });
  r.setStringMap('annotations', { ...old.annotations(), ...r.annotations() });
  if (r.behavior === 'merge') {
    for (const field of ['data', 'binaryData'] as const) {
      const merged: Record<string, string> = { ...rawMap(old.obj[field]), ...rawMap(r.obj[field]) };
      if (Object.keys(merged).length > 0) r.obj[field] = merged;
    }
    if (old.origin) r.origin = old.origin;
  }
  // kustomize takes its build bookkeeping from the resource being merged into: a name hash
  // only if both sides asked for one, so merging into a plain resource keeps its plain name.
  r.needsHash = r.needsHash && old.needsHash;
  r.behavior = old.behavior;
  r.name = old.name;
  r.namespace = old.namespace;
  r.prev = old.prev.map((p) => ({ ...p }));
  r.prefixes = [...old.prefixes];
  r.suffixes = [...old.suffixes];
  r.refVarNames = [...old.refVarNames];
  ra.resMap.replaceAt(ra.resMap.indexOf(old), r);
}

function rawMap(v: JsonValue | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObject(v)) return out;
  for (const [k, x] of Object.entries(v)) out[k] = typeof x === 'string' ? x : String(x);
  return out;
}

function mergeVars(ra: Accumulator, vars: Var[], file: string): void {
  for (const v of vars) {
    if (ra.vars.some((x) => x.name === v.name)) {
      throw new RenderError('KUSTOMIZE_VAR', `var '${v.name}' already encountered`, {
        file,
        hint: 'Each var name must be unique across the build.',
      });
    }
    ra.vars.push(v);
  }
}
