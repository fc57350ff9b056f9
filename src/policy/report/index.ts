export { toText, toJson } from './text.js';
export { toJunit } from './junit.js';
export { toSarif } from './sarif.js';
