import type { JsonObject, JsonValue } from '../model/json.js';

/**
 * Reads the built-in field specs (DEFAULT_FIELD_SPECS) without the YAML parser. They are
 * fixed text in one plain layout (sections, `- key: value` items, `fieldSpecs:` lists, no
 * quoting), and parsing them with the general parser costs more than the rest of a small
 * build in a fresh process. A test holds this reader to the YAML parser's result.
 */
export function readDefaultSpecs(text: string): JsonObject {
  const out: JsonObject = {};
  let section: JsonValue[] | undefined;
  let item: JsonObject | undefined;
  let referrers: JsonValue[] | undefined;
  let referrer: JsonObject | undefined;
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    const m = /^( *)(- )?([A-Za-z]+):(?: (\S+))?$/.exec(raw);
    if (!m) throw new Error(`built-in field specs: unexpected line ${JSON.stringify(raw)}`);
    const [, indent, dash, key, value] = m as unknown as [string, string, string | undefined, string, string?];
    const depth = indent.length + (dash ? 2 : 0);
    if (depth === 0) {
      section = [];
      out[key] = section;
      continue;
    }
    if (indent.length === 0 && dash) {
      item = {};
      section!.push(item);
      referrers = undefined;
    } else if (indent.length === 2 && dash) {
      referrer = {};
      referrers!.push(referrer);
    }
    const target = depth === 2 ? item! : referrer!;
    if (value === undefined) {
      referrers = [];
      target[key] = referrers;
    } else {
      target[key] = value === 'true' ? true : value === 'false' ? false : value;
    }
  }
  return out;
}
