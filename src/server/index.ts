export { buildApp, type AppOptions } from './app.js';
export { SluiceMetrics } from './metrics.js';
