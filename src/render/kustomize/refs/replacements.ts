import { RenderError } from '../../../errors/index.js';
import { deepCopy, isObject, type JsonValue } from '../model/json.js';
import type { Loader } from '../load/loader.js';
import { effectiveNamespace, type ResId } from '../resource/gvk.js';
import { YamlLines, type FieldPath, type FieldSource } from '../resource/provenance.js';
import type { ResMap } from '../resource/resmap.js';
import type { Resource } from '../resource/resource.js';
import { labelSelectorMatches, parseSelector, type Selector } from '../patch/selector.js';
import { resolvePlain } from '../yaml/resolve.js';
import { parseYamlDocs } from '../yaml/parse.js';
import { findPlaces, splitFieldPath } from './paths.js';

interface FieldOptions {
  delimiter?: string;
  index?: number;
  create?: boolean;
}

interface Replacement {
  sourceValue?: string;
  source?: {
    id: Partial<ResId> & { group?: string; version?: string; kind?: string };
    fieldPath: string;
    options?: FieldOptions;
  };
  targets: { select: Selector; reject: Selector[]; fieldPaths: string[]; options?: FieldOptions }[];
  file: string;
  /** The line of the replacement's value or source, for the fields it writes. */
  written?: FieldSource;
}

function opts(v: JsonValue | undefined): FieldOptions | undefined {
  if (!isObject(v)) return undefined;
  return {
    delimiter: typeof v['delimiter'] === 'string' ? v['delimiter'] : undefined,
    index: typeof v['index'] === 'number' ? v['index'] : 0,
    create: v['create'] === true,
  };
}

function parseOne(v: JsonValue, file: string): Replacement {
  if (!isObject(v)) throw new RenderError('KUSTOMIZE_REPLACEMENT', `${file}: a replacement must be a map`, { file });
  const r: Replacement = { targets: [], file };
  if (typeof v['sourceValue'] === 'string') r.sourceValue = v['sourceValue'];
  const src = v['source'];
  if (isObject(src)) {
    const s = (k: string) => (typeof src[k] === 'string' ? (src[k] as string) : '');
    r.source = {
      id: { group: s('group'), version: s('version'), kind: s('kind'), name: s('name'), namespace: s('namespace') },
      fieldPath: s('fieldPath') || 'metadata.name',
      options: opts(src['options']),
    };
  }
  if (r.sourceValue !== undefined && r.source)
    throw new RenderError('KUSTOMIZE_REPLACEMENT', `${file}: value and resource selectors are mutually exclusive`, {
      file,
    });
  if ((!r.source && r.sourceValue === undefined) || !Array.isArray(v['targets'])) {
    throw new RenderError(
      'KUSTOMIZE_REPLACEMENT',
      `${file}: replacements must specify a source and at least one target`,
      { file },
    );
  }
  for (const t of v['targets']) {
    if (!isObject(t)) continue;
    const select = parseSelector(t['select'], file);
    if (!select)
      throw new RenderError('KUSTOMIZE_REPLACEMENT', `${file}: target must specify resources to select`, { file });
    const reject = Array.isArray(t['reject']) ? t['reject'].map((x) => parseSelector(x, file) ?? {}) : [];
    const fps = Array.isArray(t['fieldPaths']) ? t['fieldPaths'].filter((x): x is string => typeof x === 'string') : [];
    r.targets.push({ select, reject, fieldPaths: fps.length ? fps : ['metadata.name'], options: opts(t['options']) });
  }
  return r;
}

/**
 * Inline replacements and `path:` entries pointing at files of replacements. `sourceOf` gives
 * lines in the kustomization (`from`) for the inline ones.
 */
export function loadReplacements(
  ldr: Loader,
  list: JsonValue[],
  from: string,
  sourceOf?: (path: FieldPath) => FieldSource,
): Replacement[] {
  const out: Replacement[] = [];
  list.forEach((v, i) => {
    if (isObject(v) && typeof v['path'] === 'string') {
      const { text, path } = ldr.readText(v['path'], from);
      const lines = new YamlLines(text);
      for (const d of parseYamlDocs(text, path)) {
        const items = Array.isArray(d.value) ? d.value : [d.value];
        items.forEach((it, j) => {
          const rep = parseOne(it, path);
          const at = Array.isArray(d.value) ? [j] : [];
          rep.written = lines.source(path, d.line, [...at, writer(rep)]);
          out.push(rep);
        });
      }
    } else {
      const rep = parseOne(v, from);
      if (sourceOf) rep.written = sourceOf([i, writer(rep)]);
      out.push(rep);
    }
  });
  return out;
}

function writer(rep: Replacement): string {
  return rep.sourceValue !== undefined ? 'sourceValue' : 'source';
}

function ids(r: Resource): ResId[] {
  return [r.curId(), ...r.prevIds()];
}

function exactSelects(
  id: ResId,
  sel: { group?: string; version?: string; kind?: string; name?: string; namespace?: string },
): boolean {
  if (sel.name && sel.name !== id.name) return false;
  if (sel.namespace && effectiveNamespace({ ...id, namespace: sel.namespace }) !== effectiveNamespace(id)) return false;
  if (sel.group && sel.group !== id.gvk.group) return false;
  if (sel.version && sel.version !== id.gvk.version) return false;
  if (sel.kind && sel.kind !== id.gvk.kind) return false;
  return true;
}

function regexSelects(id: ResId, s: Selector): boolean {
  const m = (p: string | undefined, v: string) => p === undefined || new RegExp(`^(?:${p})$`).test(v);
  return (
    m(s.group, id.gvk.group) &&
    m(s.version, id.gvk.version) &&
    m(s.kind, id.gvk.kind) &&
    m(s.name, id.name) &&
    m(s.namespace, id.namespace)
  );
}

function text(v: JsonValue): string {
  return v === null || typeof v === 'object' ? '' : String(v);
}

/** The value a scalar target ends up with: the source's text, keeping the target's type. */
function retyped(target: JsonValue, value: string): JsonValue {
  if (typeof target === 'string') return value;
  if (typeof target === 'number') return /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(value) ? Number(value) : value;
  if (typeof target === 'boolean') return value === 'true' ? true : value === 'false' ? false : value;
  return resolvePlain(value);
}

export function applyReplacements(m: ResMap, reps: Replacement[], from: string): void {
  for (const rep of reps) {
    let value: JsonValue;
    if (rep.sourceValue !== undefined) value = rep.sourceValue;
    else {
      const src = rep.source!;
      const hits = m.list.filter((r) => ids(r).some((id) => exactSelects(id, src.id)));
      const desc = `${src.id.kind ?? ''}${src.id.name ? '/' + src.id.name : ''}`;
      if (hits.length === 0)
        throw new RenderError('KUSTOMIZE_REPLACEMENT', `nothing selected by ${desc} (replacement in ${rep.file})`, {
          file: rep.file,
        });
      if (hits.length > 1)
        throw new RenderError(
          'KUSTOMIZE_REPLACEMENT',
          `multiple matches for selector ${desc} (replacement in ${rep.file})`,
          { file: rep.file },
        );
      const found = findPlaces(
        { get: () => hits[0]!.obj, set: () => undefined },
        splitFieldPath(src.fieldPath),
        undefined,
      )[0]?.get();
      // kyaml's IsNilOrEmpty: absent, null, or an empty map or list; an empty string is a value.
      if (found === undefined || found === null || (typeof found === 'object' && Object.keys(found).length === 0)) {
        throw new RenderError(
          'KUSTOMIZE_REPLACEMENT',
          `fieldPath \`${src.fieldPath}\` is missing for replacement source ${desc}`,
          { file: rep.file },
        );
      }
      value = found;
      if (src.options?.delimiter) {
        if (typeof value === 'object')
          throw new RenderError('KUSTOMIZE_REPLACEMENT', 'delimiter option can only be used with scalar nodes', {
            file: rep.file,
          });
        const parts = text(value).split(src.options.delimiter);
        const i = src.options.index ?? 0;
        if (i >= parts.length || i < 0)
          throw new RenderError(
            'KUSTOMIZE_REPLACEMENT',
            `options.index ${i} is out of bounds for value ${text(value)}`,
            { file: rep.file },
          );
        value = parts[i]!;
      }
    }
    for (const t of rep.targets) {
      for (const r of m.list) {
        if (t.select.labelSelector && !labelSelectorMatches(t.select.labelSelector, r.labels())) continue;
        if (t.select.annotationSelector && !labelSelectorMatches(t.select.annotationSelector, r.annotations()))
          continue;
        if (
          t.reject.some(
            (rj) =>
              (rj.labelSelector || rj.annotationSelector) &&
              (!rj.labelSelector || labelSelectorMatches(rj.labelSelector, r.labels())) &&
              (!rj.annotationSelector || labelSelectorMatches(rj.annotationSelector, r.annotations())),
          )
        )
          continue;
        const rids = ids(r);
        const selectOnly: Selector = { ...t.select, labelSelector: undefined, annotationSelector: undefined };
        if (t.reject.some((rj) => isIdSelector(rj) && rids.some((id) => regexSelects(id, rj)))) continue;
        if (!rids.some((id) => regexSelects(id, selectOnly))) continue;
        copyToTarget(r, value, t.fieldPaths, t.options, from, rep.written);
      }
    }
  }
}

function isIdSelector(s: Selector): boolean {
  return !!(s.group || s.version || s.kind || s.name || s.namespace);
}

function copyToTarget(
  r: Resource,
  value: JsonValue,
  fieldPaths: string[],
  o: FieldOptions | undefined,
  from: string,
  written: FieldSource | undefined,
): void {
  for (const fp of fieldPaths) {
    const create = o?.create ? (Array.isArray(value) ? 'seq' : isObject(value) ? 'map' : 'scalar') : undefined;
    const places = findPlaces({ get: () => r.obj, set: () => undefined }, splitFieldPath(fp), create);
    if (places.length === 0) {
      const msg = create
        ? `unable to find or create field "${fp}" in replacement target`
        : `unable to find field "${fp}" in replacement target`;
      throw new RenderError('KUSTOMIZE_REPLACEMENT', `${msg} ${r.kind}/${r.name}`, {
        file: from,
        resource: `${r.kind}/${r.name}`,
        field: fp,
      });
    }
    for (const p of places) {
      let v = deepCopy(value);
      const cur = p.get();
      if (o?.delimiter) {
        if (cur !== null && typeof cur === 'object')
          throw new RenderError('KUSTOMIZE_REPLACEMENT', 'delimiter option can only be used with scalar nodes', {
            file: from,
          });
        const parts = text(cur ?? '').split(o.delimiter);
        const i = o.index ?? 0;
        if (i < 0) parts.unshift(text(v));
        else if (i >= parts.length) parts.push(text(v));
        else parts[i] = text(v);
        v = parts.join(o.delimiter);
      }
      if (cur !== undefined && cur !== null && typeof cur !== 'object' && (v === null || typeof v !== 'object'))
        p.set(retyped(cur, text(v)));
      else p.set(v);
      if (written && p.at) r.provenance.note(p.at, written, p.get());
    }
  }
}
