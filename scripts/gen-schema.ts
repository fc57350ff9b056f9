// Writes schema/sluice.schema.json from the zod schema in src/config. Run: npm run gen:schema
import { writeFileSync } from 'node:fs';
import { projectJsonSchemaText } from '../src/config/json-schema.js';

writeFileSync(new URL('../schema/sluice.schema.json', import.meta.url), projectJsonSchemaText());
console.log('wrote schema/sluice.schema.json');
