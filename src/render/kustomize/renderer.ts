import type { Resource as ModelResource, RenderedResource } from '../../model/resource.js';
import { markDecrypted } from '../../secrets/index.js';
import type { ReadonlyFs } from '../../vfs/index.js';
import { joinPath } from '../../vfs/index.js';
import type { ImagePin, Renderer, RenderRequest } from '../types.js';
import { build } from './build/build.js';
import { setImages } from './edit.js';
import { KUSTOMIZATION_FILE_NAMES } from './load/kustfile.js';

/** The Kustomize-compatible renderer: any directory holding a kustomization file. */
export const kustomizeRenderer: Renderer = {
  name: 'kustomize',
  detect(fs: ReadonlyFs, dir: string): boolean {
    return KUSTOMIZATION_FILE_NAMES.some((n) => fs.stat(joinPath(dir, n)) === 'file');
  },
  render(request: RenderRequest): RenderedResource[] {
    const { resources } = build(request.fs, request.dir);
    const isEncrypted = (request.fs as { isEncrypted?: (p: string) => boolean }).isEncrypted?.bind(request.fs);
    return resources.map((r) => {
      let object = r.obj as unknown as ModelResource;
      // A Secret generated from SOPS files is not plaintext in Git: say so for the policy.
      const encrypted = isEncrypted ? r.inputs.find((p) => isEncrypted(p)) : undefined;
      if (encrypted) object = markDecrypted(object, encrypted);
      const out: RenderedResource = { object };
      if (r.source) {
        const { file, line } = r.source;
        const lines = r.lines;
        const provenance = r.provenance;
        out.origin = line === undefined ? { file } : { file, line };
        // A field a kustomization or patch wrote is found where that wrote it, others in the file read.
        out.origin.where = (path) => provenance.find(path);
        const built = r.obj;
        if (lines && line !== undefined) out.origin.locate = (path) => lines.at(line, provenance.asRead(built, path));
      }
      return out;
    });
  },
  pinImage(
    files: ReadonlyMap<string, string>,
    dir: string,
    image: ImagePin,
  ): { path: string; text: string } | undefined {
    const path = KUSTOMIZATION_FILE_NAMES.map((n) => joinPath(dir, n)).find((p) => files.has(p));
    if (path === undefined) return undefined;
    const edit = {
      name: image.name,
      ...(image.tag ? { newTag: image.tag } : {}),
      ...(image.digest ? { digest: image.digest } : {}),
    };
    return { path, text: setImages(files.get(path)!, [edit]) };
  },
};
