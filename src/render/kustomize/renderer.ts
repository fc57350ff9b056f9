import { joinPath } from '../../vfs/index.js';
import { parseManifests } from '../plain/index.js';
import type { Renderer } from '../types.js';
import { kustomizeBuild } from './index.js';

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** Kustomize overlays, rendered natively; chosen when a directory holds a kustomization file. */
export const kustomizeRenderer: Renderer = {
  name: 'kustomize',
  detect: (fs, dir) => KUSTOMIZATION_FILES.some((f) => fs.stat(joinPath(dir, f)) === 'file'),
  render: ({ fs, dir }) => {
    const out = kustomizeBuild(fs, dir);
    return parseManifests(new TextEncoder().encode(out), joinPath(dir, 'kustomization.yaml')).map((r) => ({
      object: r.object,
      origin: { file: joinPath(dir, 'kustomization.yaml') },
    }));
  },
};
