import type { Provider, ProviderContext } from '../types.js';
import { ProcessProvider } from './provider.js';
import type { ProcessProviderOptions } from './provider.js';

/** The embedded default target: `sluice.dev/v1alpha1 Process` objects as supervised OS processes. */
export function createProcessProvider(ctx: ProviderContext, options?: ProcessProviderOptions): Provider {
  return new ProcessProvider(ctx, options);
}

export type { ProcessProviderOptions } from './provider.js';
export { readProcessLogs, listLogFiles } from './logs.js';
export type { LogLine, ReadLogsOptions } from './logs.js';
export { parseProcess, processSpecSchema, isProcessResource, PROCESS_API_VERSION, PROCESS_KIND } from './spec.js';
export type { ProcessSpec, ProcessObject } from './spec.js';
export { processTarget, ARTIFACT_TAG_ANNOTATION } from './target.js';
export { processProjectFiles, SCHEMA_FILE, type ProcessProjectOptions } from './scaffold.js';
