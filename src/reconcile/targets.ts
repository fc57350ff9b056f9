export { affectsApp, deployments, scopeKey, type ScopeRef } from '../desired/index.js';
