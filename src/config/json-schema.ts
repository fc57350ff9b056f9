import { z } from 'zod';
import { projectSchema } from './schema.js';

/** The JSON Schema editors use to complete and check sluice.yaml, generated from the one zod schema. */
export function projectJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(projectSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
  return {
    $schema: schema.$schema,
    $id: 'https://sluice.dev/schema/sluice.schema.json',
    title: 'Sluice project (sluice.yaml)',
    ...schema,
  };
}

export function projectJsonSchemaText(): string {
  return `${JSON.stringify(projectJsonSchema(), null, 2)}\n`;
}
