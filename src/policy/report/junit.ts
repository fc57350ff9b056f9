import { builtinRules } from '../rules/index.js';
import type { Violation } from '../types.js';
import type { ValidateResult } from '../validate.js';

/**
 * JUnit XML as GitLab and GitHub test reporters read it: a testsuite per environment, a
 * testcase per app × rule, and a failure (with file:line of each finding) when the rule found
 * errors. Warnings go to system-out so they show without failing the pipeline.
 */
export function toJunit(result: ValidateResult): string {
  const envs = [...new Set(result.targets.map((t) => t.env))];
  let tests = 0;
  let failed = 0;
  const suites = envs.map((env) => {
    const cases: string[] = [];
    let failures = 0;
    for (const t of result.targets.filter((x) => x.env === env)) {
      const names = new Set([...builtinRules.map((r) => r.name), ...t.report.violations.map((v) => v.rule)]);
      for (const rule of names) {
        const found = t.report.violations.filter((v) => v.rule === rule);
        const errors = found.filter((v) => v.severity === 'error');
        const warnings = found.filter((v) => v.severity === 'warn');
        let body = '';
        if (errors.length) {
          failures++;
          const first = errors[0]!;
          body += `<failure message="${esc(summary(first, errors.length))}" type="${esc(rule)}">${esc(errors.map(line).join('\n'))}</failure>`;
        }
        if (warnings.length)
          body += `<system-out>${esc(warnings.map((w) => `warning: ${line(w)}`).join('\n'))}</system-out>`;
        const file = found[0]?.file ? ` file="${esc(found[0].file)}"` : '';
        cases.push(
          `    <testcase classname="${esc(`${env}.${t.app}`)}" name="${esc(`${t.app}: ${rule}`)}"${file} time="0">${body}</testcase>`,
        );
      }
    }
    tests += cases.length;
    failed += failures;
    return `  <testsuite name="${esc(env)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="0" time="0">\n${cases.join('\n')}\n  </testsuite>`;
  });
  // The totals count testcases, as every reader of the format does: not targets, not findings.
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites name="sluice validate ${esc(result.project)}" tests="${tests}" failures="${failed}">\n${suites.join('\n')}\n</testsuites>\n`
  );
}

function summary(v: Violation, count: number): string {
  return `${v.file ? `${v.file}${v.line !== undefined ? `:${v.line}` : ''}: ` : ''}${v.message}${count > 1 ? ` (and ${count - 1} more)` : ''}`;
}

function line(v: Violation): string {
  const where = v.file ? `${v.file}${v.line !== undefined ? `:${v.line}` : ''}` : '(no file)';
  return `${where} ${v.resource ?? ''}${v.field ? ` ${v.field}` : ''}: ${v.message}\n  hint: ${v.hint}`;
}

/** XML text and attribute escaping, dropping characters XML 1.0 cannot carry. */
function esc(s: string): string {
  return (
    s
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}
