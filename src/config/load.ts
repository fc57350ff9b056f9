import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { ValidationError } from '../errors/index.js';
import { targetKindNames } from '../providers/index.js';
import { projectSchema, type ProjectFile } from './schema.js';
import { formatFieldPath, locateInDocument, yamlErrorPosition } from './yaml-location.js';
import { toProject, type Project } from './project.js';

export const PROJECT_FILE = 'sluice.yaml';

/** Caps how far YAML aliases may expand, so a "billion laughs" file is refused, not expanded. */
const MAX_ALIAS_COUNT = 100;

/**
 * Parses and validates the text of a sluice.yaml. `file` is only used in messages.
 * Throws a ValidationError naming the file, line and field on the first problem.
 */
export function parseProject(text: string, file = PROJECT_FILE): Project {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const pos = yamlErrorPosition(text, doc.errors, lineCounter);
    throw new ValidationError('CONFIG_YAML', `invalid YAML: ${firstLine(yamlError.message)}`, {
      file,
      line: pos.line,
      column: pos.column,
      hint: 'Fix the YAML syntax; a YAML linter or your editor can point at the exact character.',
    });
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    throw new ValidationError('CONFIG_YAML', `cannot read YAML: ${(e as Error).message}`, {
      file,
      hint: 'Remove deeply nested aliases; sluice.yaml does not need them.',
    });
  }
  if (raw === null || typeof raw !== 'object') {
    throw new ValidationError('CONFIG_SHAPE', 'expected a Project object', {
      file,
      line: 1,
      hint: 'Start from `sluice init`, or see schema/sluice.schema.json for the shape.',
    });
  }
  const parsed = projectSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const loc = locateInDocument(doc, lineCounter, path);
    throw new ValidationError('CONFIG_INVALID', describeIssue(issue), {
      file,
      ...(loc ?? {}),
      field: formatFieldPath(issue.path),
      hint: hintFor(issue),
    });
  }
  return toProject(parsed.data, { file, locate: (p) => locateInDocument(doc, lineCounter, p)?.line });
}

/** Reads and validates a sluice.yaml from disk. */
export function loadProjectFile(path: string): Project {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ValidationError('CONFIG_MISSING', `cannot read ${path}: ${(e as Error).message}`, {
      file: path,
      hint: 'Run `sluice init <dir>` to create a config repo, or pass --repo pointing at one.',
    });
  }
  return parseProject(text, path);
}

export type { ProjectFile };

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    case 'invalid_value':
      return `invalid value: expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union':
      return 'invalid value: no allowed shape matches';
    default:
      return issue.message;
  }
}

function hintFor(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys')
    return 'Check the spelling; allowed fields are listed in schema/sluice.schema.json.';
  if (issue.code === 'invalid_union' || (issue.code === 'invalid_value' && issue.path.includes('provider'))) {
    return `A target provider is one of: ${targetKindNames().join(', ')}.`;
  }
  return 'See schema/sluice.schema.json for the allowed shape (editors complete from it).';
}
