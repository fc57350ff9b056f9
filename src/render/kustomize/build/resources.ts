import { RenderError } from '../../../errors/index.js';
import { isObject, type JsonObject } from '../model/json.js';
import { YamlLines } from '../resource/provenance.js';
import { Resource } from '../resource/resource.js';
import { parseYamlDocs } from '../yaml/parse.js';

/**
 * Resources from one YAML file: empty documents are skipped, `kind: *List` documents with
 * `items` are flattened, and every resource must have a kind and a name.
 */
export function resourcesFromText(text: string, file: string): Resource[] {
  const out: Resource[] = [];
  const lines = new YamlLines(text);
  for (const doc of parseYamlDocs(text, file)) {
    const v = doc.value;
    if (v === null) continue;
    if (!isObject(v)) {
      throw new RenderError(
        'KUSTOMIZE_RESOURCE',
        `${file}:${doc.line}: a resource must be a YAML map, not a ${Array.isArray(v) ? 'list' : 'scalar'}`,
        {
          file,
          line: doc.line,
        },
      );
    }
    if (Object.keys(v).length === 0) continue;
    const kind = v['kind'];
    if (typeof kind === 'string' && kind.endsWith('List') && Array.isArray(v['items'])) {
      for (const item of v['items']) {
        if (!isObject(item)) continue;
        out.push(validated(item, file, doc.line));
      }
      continue;
    }
    const r = validated(v, file, doc.line);
    r.lines = lines;
    out.push(r);
  }
  return out;
}

function validated(obj: JsonObject, file: string, line: number): Resource {
  const r = new Resource(obj, { file, line });
  if (typeof obj['kind'] !== 'string' || obj['kind'] === '') {
    throw new RenderError('KUSTOMIZE_RESOURCE', `${file}:${line}: missing Resource metadata: the object has no kind`, {
      file,
      line,
      hint: 'Every resource needs apiVersion, kind and metadata.name.',
    });
  }
  const meta = obj['metadata'];
  if (!isObject(meta) || typeof meta['name'] !== 'string' || meta['name'] === '') {
    const nameOk = isObject(meta) && typeof meta['generateName'] === 'string';
    if (!nameOk) {
      throw new RenderError('KUSTOMIZE_RESOURCE', `${file}:${line}: missing metadata.name in object ${obj['kind']}`, {
        file,
        line,
        resource: String(obj['kind']),
        hint: 'Every resource needs apiVersion, kind and metadata.name.',
      });
    }
  }
  return r;
}
