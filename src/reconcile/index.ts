export { Controller, type ControllerOptions } from './controller.js';
export type { RevisionSource } from './source.js';
export { gitRevisionSource } from './git-source.js';
export type { PolicyCheck } from './desired.js';
export { desiredState } from './desired.js';
export { deployments, affectsApp } from './targets.js';
export type * from './status.js';
