import { describe, expect, it } from 'vitest';
import { parseYamlDocs } from '../yaml/parse.js';
import { DEFAULT_FIELD_SPECS } from './default-field-specs.js';
import { readDefaultSpecs } from './default-specs-reader.js';

describe('built-in field specs reader', () => {
  it('reads the built-in field specs exactly as the YAML parser does', () => {
    const viaYaml = parseYamlDocs(DEFAULT_FIELD_SPECS, 'builtin field specs')[0]!.value;
    expect(readDefaultSpecs(DEFAULT_FIELD_SPECS)).toEqual(viaYaml);
  });

  it('refuses a layout it does not know rather than misreading it', () => {
    expect(() => readDefaultSpecs('namePrefix:\n- path: "quoted value"\n')).toThrow(/unexpected line/);
  });
});
