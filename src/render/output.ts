import { stringify } from 'yaml';
import type { RenderedResource } from '../model/resource.js';

/** Resources as a multi-document YAML stream, the way `sluice render` prints them. */
export function toYamlStream(resources: readonly RenderedResource[]): string {
  return resources.map((r) => stringify(r.object, { lineWidth: 0 })).join('---\n');
}
