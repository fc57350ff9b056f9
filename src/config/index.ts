export { parseProject, loadProjectFile, PROJECT_FILE } from './load.js';
export { projectSchema } from './schema.js';
export type { ProjectFile, TargetSpec, EnvironmentSpec, AppSpec, PromotionSpec, PolicySpec, VerifyCheckSpec, RepositorySpec } from './schema.js';
export { findApp, findEnvironment } from './project.js';
export type { Project, Environment, App, Target } from './project.js';
export { parseDuration, formatDuration } from './duration.js';
export { locateInDocument, formatFieldPath } from './yaml-location.js';
