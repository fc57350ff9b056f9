export { evaluateMetric, expandQuery, MetricGateError } from './prometheus-gate.js';
export type { MetricContext, MetricOptions, MetricVerdict } from './prometheus-gate.js';
