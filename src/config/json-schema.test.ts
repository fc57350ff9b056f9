import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { projectJsonSchema, projectJsonSchemaText } from './json-schema.js';

describe('JSON Schema for sluice.yaml', () => {
  it('is committed up to date (run `npm run gen:schema` after changing the zod schema)', () => {
    const committed = readFileSync(new URL('../../schema/sluice.schema.json', import.meta.url), 'utf8');
    expect(committed).toBe(projectJsonSchemaText());
  });

  it('describes the fields editors complete, with allowed values', () => {
    const s = JSON.stringify(projectJsonSchema());
    for (const word of [
      '"selfHeal"',
      '"protected"',
      '"promotion"',
      '"auto"',
      '"manual"',
      '"process"',
      '"kubernetes"',
      '"healthTimeout"',
    ]) {
      expect(s).toContain(word);
    }
    const spec = (projectJsonSchema().properties as Record<string, { additionalProperties?: unknown }>).spec;
    expect(spec?.additionalProperties).toBe(false);
  });
});
