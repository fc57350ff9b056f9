import { parseAllDocuments } from 'yaml';
import type { Resource } from '../../../src/model/resource.js';
import { runSluice } from '../../support/sluice.js';

/** The kustomizations under deploy/kubernetes, as the repository ships them. */
export const KUSTOMIZATIONS = ['base', 'overlays/single', 'overlays/ha'] as const;
export const manifestDir = (k: string): string => `deploy/kubernetes/${k}`;

/** `sluice kustomize build` of one of them: its bytes and its documents. */
export async function render(k: string): Promise<{ text: string; docs: Resource[] }> {
  const res = await runSluice(['kustomize', 'build', manifestDir(k)]);
  if (res.code !== 0) throw new Error(`sluice kustomize build ${manifestDir(k)} failed: ${res.stderr}`);
  return { text: res.stdout, docs: parseAllDocuments(res.stdout).map((d) => d.toJS() as Resource) };
}

export const byKind = (docs: Resource[], kind: string): Resource[] => docs.filter((d) => d.kind === kind);
