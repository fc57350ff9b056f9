export { promotionRoutes } from './promotion.js';
export { ledgerRoutes } from './ledger.js';
export { parseTime } from './params.js';
export { oidcRoutes, type IssueSession } from './oidc.js';
