import { formatViolation } from '../error.js';
import type { ValidateResult } from '../validate.js';

/** Compiler-style lines, errors first, then a one-line summary. */
export function toText(result: ValidateResult): string {
  const lines: string[] = [];
  const sorted = [...result.report.violations].sort((a, b) =>
    a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1,
  );
  for (const v of sorted) {
    lines.push(
      `${v.severity === 'error' ? 'error' : 'warning'}: ${v.env ?? ''}${v.app ? `/${v.app}` : ''}: ${formatViolation(v)}`,
    );
    lines.push(`  hint: ${v.hint}`);
  }
  for (const n of result.notes) lines.push(`note: ${n}`);
  const { errors, warnings } = result.report;
  const checked = result.targets.length;
  lines.push(
    `${errors === 0 ? 'ok' : 'failed'}: ${checked} app×environment target${checked === 1 ? '' : 's'} checked, ` +
      `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`,
  );
  return lines.join('\n') + '\n';
}

export function toJson(result: ValidateResult): string {
  return (
    JSON.stringify(
      {
        project: result.project,
        errors: result.report.errors,
        warnings: result.report.warnings,
        targets: result.targets.map((t) => ({
          app: t.app,
          env: t.env,
          resources: t.resources,
          errors: t.report.errors,
          warnings: t.report.warnings,
        })),
        violations: result.report.violations,
        notes: result.notes,
      },
      null,
      2,
    ) + '\n'
  );
}
