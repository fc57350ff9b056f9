import { RenderError } from '../../../errors/index.js';
import { stringMapField, type Kustomization } from '../load/kustfile.js';
import type { Loader } from '../load/loader.js';
import { schemaFromOpenApi } from '../patch/openapi-doc.js';
import { builtinSchema, type SchemaData } from '../patch/schema.js';
import type { Resource } from '../resource/resource.js';

/** The only Kubernetes OpenAPI version kustomize v5.8.1 has built in. */
const BUILTIN_VERSION = 'v1.21.2';

/**
 * The schema strategic merge uses for one build, chosen by kustomizations' `openapi:` fields
 * the way kustomize's SetSchema does: the top kustomization decides; a base or component only
 * when nothing has decided yet. A custom schema replaces the built-in one, unless kustomize
 * had already loaded the built-in one by then (it keeps what it loaded and adds the custom
 * definitions on top): a patch consulted it, or a resource of a type outside it was read,
 * whose scope kustomize looks up as soon as it has the resource's id.
 */
export class OpenApiChoice {
  private version = '';
  private custom: SchemaData | undefined;
  private builtinLoaded = false;

  /** The schema for a strategic merge now; undefined means the built-in Kubernetes schema. */
  forPatch(): SchemaData | undefined {
    if (this.custom === undefined) this.builtinLoaded = true;
    return this.custom;
  }

  /** Resources just read into the build. */
  noteResources(list: Resource[]): void {
    if (this.custom !== undefined || this.builtinLoaded) return;
    const known = builtinSchema().gvks;
    if (list.some((r) => known[`${r.apiVersion} ${r.kind}`] === undefined)) this.builtinLoaded = true;
  }

  apply(k: Kustomization, ldr: Loader, isTop: boolean): void {
    const field = stringMapField(k, 'openapi');
    const has = (key: string) => Object.prototype.hasOwnProperty.call(field, key);
    // kustomize reads the schema file before deciding whether it will use it.
    const file = has('path') ? ldr.readText(field['path']!, k.file) : undefined;
    if ((this.version !== '' || this.custom !== undefined) && !isTop) return;
    const line = k.lines.get('openapi');
    if (file) {
      if (has('version')) {
        throw new RenderError(
          'KUSTOMIZE_OPENAPI',
          `${k.file}: builtin version and custom schema provided, cannot use both`,
          {
            file: k.file,
            line,
            field: 'openapi',
            hint: 'Give openapi either a path to a schema file or a built-in version, not both.',
          },
        );
      }
      const custom = schemaFromOpenApi(file.text, file.path);
      this.custom = this.builtinLoaded ? overlay(builtinSchema(), custom) : custom;
      this.version = 'custom';
      return;
    }
    this.version = field['version'] ?? '';
    if (this.version === '') return;
    if (this.version !== BUILTIN_VERSION) {
      throw new RenderError('KUSTOMIZE_OPENAPI', `${k.file}: the specified OpenAPI version is not built in`, {
        file: k.file,
        line,
        field: 'openapi.version',
        hint: `kustomize v5.8.1 has only ${BUILTIN_VERSION} built in; remove the version or point openapi.path at a schema file.`,
      });
    }
    this.custom = undefined;
  }
}

function overlay(base: SchemaData, top: SchemaData): SchemaData {
  return { gvks: { ...base.gvks, ...top.gvks }, defs: { ...base.defs, ...top.defs } };
}
