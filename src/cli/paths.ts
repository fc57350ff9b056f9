import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The sample service shipped with Sluice (examples/hello), found from dist/cli or src/cli. */
export function helloScript(): string {
  const p = resolve(here, '..', '..', 'examples', 'hello', 'server.js');
  if (!existsSync(p)) throw new Error(`the sample service is missing at ${p}; reinstall Sluice`);
  return p;
}

/** The JSON Schema of sluice.yaml shipped with Sluice, for editors. */
export function projectSchemaPath(): string {
  return resolve(here, '..', '..', 'schema', 'sluice.schema.json');
}

/** The text of the sample service, for scaffolds that carry it in their manifests. */
export function helloSource(): string {
  return readFileSync(helloScript(), 'utf8');
}

/** The text of the JSON Schema of sluice.yaml, for scaffolds that commit a copy. */
export function projectSchema(): string {
  return readFileSync(projectSchemaPath(), 'utf8');
}
