export { Controller, type ControllerOptions } from './controller.js';
export type { RevisionSource } from './source.js';
export { gitRevisionSource } from './git-source.js';
export { deployments, affectsApp } from './targets.js';
export type * from './status.js';
export { appliedArtifacts, splitImage } from './applied-artifacts.js';
export { verify, expandTemplate, readJsonPath, type VerifyOutcome } from './verify.js';
export type { VerificationFailedHook } from './post-sync.js';
export { StatusFeed, type StatusChange, type StatusListener } from './status-feed.js';
