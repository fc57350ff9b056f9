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
export { toYamlStream } from './output.js';
