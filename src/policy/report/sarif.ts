import type { Log, ReportingDescriptor, Result } from 'sarif';
import { builtinRules } from '../rules/index.js';
import type { ValidateResult } from '../validate.js';

const SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

/**
 * SARIF 2.1.0 for code-scanning views: one run, every rule described once, one result per
 * violation located at the manifest file and line (sluice.yaml when a finding has no file).
 */
export function toSarif(result: ValidateResult, projectFile = 'sluice.yaml'): Log {
  const descriptions = new Map(builtinRules.map((r) => [r.name, r.description]));
  const ruleIds = [...new Set([...builtinRules.map((r) => r.name), ...result.report.violations.map((v) => v.rule)])];
  const rules: ReportingDescriptor[] = ruleIds.map((id) => ({
    id,
    name: id.replace(/(^|-)([a-z])/g, (_m, _d: string, c: string) => c.toUpperCase()),
    shortDescription: { text: descriptions.get(id) ?? ruleText(id) },
    helpUri: 'https://sluice.dev/docs/policy#' + id,
  }));
  const results: Result[] = result.report.violations.map((v) => ({
    ruleId: v.rule,
    ruleIndex: ruleIds.indexOf(v.rule),
    level: v.severity === 'error' ? 'error' : 'warning',
    message: { text: `${v.resource ? `${v.resource}: ` : ''}${v.message}. ${v.hint}` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: encodeURI(v.file ?? projectFile) },
          region: { startLine: Math.max(1, v.line ?? 1) },
        },
        ...(v.resource ? { logicalLocations: [{ name: v.resource, kind: 'resource' }] } : {}),
      },
    ],
    properties: { app: v.app, environment: v.env, ...(v.field ? { field: v.field } : {}) },
  }));
  return {
    $schema: SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'sluice', informationUri: 'https://sluice.dev', rules } },
        results,
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
}

function ruleText(id: string): string {
  if (id === 'render') return 'The app renders without errors.';
  if (id === 'secrets-decrypt') return 'SOPS-encrypted files decrypt and verify.';
  return `Custom rule ${id} from sluice.yaml.`;
}
