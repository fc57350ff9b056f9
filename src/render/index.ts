export type { Renderer, RenderRequest, ImagePin } from './types.js';
export {
  renderApp,
  rendererFor,
  rendererNames,
  appDirectory,
  hasOverlay,
  pinImage,
  type AppRender,
} from './registry.js';
export { parseManifests, plainRenderer } from './plain/index.js';
export { toYamlStream } from './output.js';
