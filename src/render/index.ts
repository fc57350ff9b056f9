export type { Renderer, RenderRequest } from './types.js';
export { renderApp, rendererFor, rendererNames, appDirectory, hasOverlay, type AppRender } from './registry.js';
export { parseManifests, plainRenderer } from './plain/index.js';
export { toYamlStream } from './output.js';
