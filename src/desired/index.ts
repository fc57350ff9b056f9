export { DesiredStates, type DesiredState, type DesiredOptions, type ScopeFindings } from './pipeline.js';
export { deployments, affectsApp, scopeKey, type ScopeRef } from './scopes.js';
