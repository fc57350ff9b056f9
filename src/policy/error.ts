import { SluiceError } from '../errors/index.js';
import type { PolicyReport, Violation } from './types.js';

/** Thrown by the reconciler to block an apply when policy found errors; nothing was applied. */
export class PolicyError extends SluiceError {
  readonly report: PolicyReport;

  constructor(report: PolicyReport) {
    const errors = report.violations.filter((v) => v.severity === 'error');
    const first = errors[0];
    const shown = errors.slice(0, 5).map((v) => `  ${formatViolation(v)}`);
    const more = errors.length > 5 ? [`  … and ${errors.length - 5} more`] : [];
    super(
      'POLICY_VIOLATION',
      [`policy blocked the change: ${errors.length} error${errors.length === 1 ? '' : 's'}`, ...shown, ...more].join(
        '\n',
      ),
      {
        ...(first?.file ? { file: first.file } : {}),
        ...(first?.line !== undefined ? { line: first.line } : {}),
        ...(first?.resource ? { resource: first.resource } : {}),
        hint: first ? first.hint : 'Run `sluice validate` to see every finding.',
      },
    );
    this.report = report;
  }
}

/** Throws a PolicyError if the report has errors. */
export function assertPolicy(report: PolicyReport): void {
  if (report.errors > 0) throw new PolicyError(report);
}

/** `file:line: Kind/name: message [rule]`, compiler style. */
export function formatViolation(v: Violation): string {
  const where = v.file ? `${v.file}${v.line !== undefined ? `:${v.line}` : ''}: ` : '';
  const what = v.resource ? `${v.resource}: ` : '';
  return `${where}${what}${v.message} [${v.rule}]`;
}
