export { promotionRoutes } from './promotion.js';
export { ledgerRoutes } from './ledger.js';
export { parseTime } from './params.js';
export { holdRoutes } from './holds.js';
