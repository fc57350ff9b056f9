export { promotionRoutes } from './promotion.js';
export { ledgerRoutes } from './ledger.js';
export { webhookRoutes, type WebhookRouteOptions } from './webhooks.js';
export { parseTime } from './params.js';
export { holdRoutes } from './holds.js';
export { containerRoutes, type ReadWorkloads } from './containers.js';
export { oidcRoutes, signInOptionsRoute, type IssueSession, type SignInOptions } from './oidc.js';
