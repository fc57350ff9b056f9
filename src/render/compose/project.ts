import { RenderError } from '../../errors/index.js';
import { joinPath, type ReadonlyFs } from '../../vfs/index.js';
import { canonicalFile, type FileModel } from './canonical.js';
import { parseDotenv } from './dotenv.js';
import { interpolateSource } from './interpolate.js';
import { composeLayout } from './layout.js';
import { mergeFiles, withoutMarkers } from './merge.js';
import { parseComposeSource, type ComposeSource, type Path } from './source.js';

const decoder = new TextDecoder('utf-8', { fatal: false });

/** An app's compose project for one environment: base and overlay read, interpolated and merged. */
export interface ComposeProject {
  fs: ReadonlyFs;
  model: FileModel;
  /** Variables of base/.env then the overlay's .env (the overlay's win). */
  vars: ReadonlyMap<string, string>;
  /** A SOPS-encrypted .env the variables came from, if any. */
  encryptedVars: string | undefined;
  isEncrypted(path: string): boolean;
  /** The last file that writes the object at `path` (`['services', name]`), else base. */
  sourceOf(path: Path): ComposeSource;
  /** A RenderError at `path` in the file that writes it; `atKey` points at the key, not its value. */
  fail(path: Path, message: string, hint: string, atKey?: boolean): never;
}

export function readText(fs: ReadonlyFs, path: string): string {
  return decoder.decode(fs.readFile(path));
}

export function loadProject(fs: ReadonlyFs, dir: string): ComposeProject {
  const layout = composeLayout(fs, dir);
  if (!layout.baseFile) {
    throw new RenderError('COMPOSE_FILE_MISSING', `${dir} has no compose file`, {
      file: dir,
      hint: "Put compose.yaml in the app's base/ directory (overlays hold partial files merged onto it).",
    });
  }
  const isEncrypted = (fs as { isEncrypted?: (p: string) => boolean }).isEncrypted?.bind(fs) ?? (() => false);
  const vars = new Map<string, string>();
  let encryptedVars: string | undefined;
  for (const d of [layout.baseDir, ...(layout.overlayDir ? [layout.overlayDir] : [])]) {
    const f = joinPath(d, '.env');
    if (fs.stat(f) !== 'file') continue;
    // Later files win: the environment's own .env overrides the base's.
    for (const [k, v] of parseDotenv(readText(fs, f), f, vars)) if (v !== null) vars.set(k, v);
    if (isEncrypted(f)) encryptedVars = f;
  }

  // Per file, as compose does: interpolate, read into long form, then merge onto what came before.
  const sources: ComposeSource[] = [];
  let model: FileModel | undefined;
  for (const file of [layout.baseFile, layout.overlayFile]) {
    if (!file) continue;
    const source = parseComposeSource(readText(fs, file), file);
    interpolateSource(source, vars);
    const canonical = canonicalFile(source, layout.baseDir);
    model = model ? mergeFiles(model, canonical) : withoutMarkers(canonical);
    sources.push(source);
  }

  const sourceOf = (path: Path): ComposeSource => {
    for (let i = sources.length - 1; i > 0; i--) if (sources[i]!.has(path.slice(0, 2))) return sources[i]!;
    return sources[0]!;
  };
  return {
    fs,
    model: withoutMarkers(model!),
    vars,
    encryptedVars,
    isEncrypted,
    sourceOf,
    fail(path, message, hint, atKey = false): never {
      const s = sourceOf(path);
      throw new RenderError('COMPOSE_INVALID', message, {
        file: s.file,
        line: atKey ? s.keyLine(path) : s.line(path),
        field: path.join('.'),
        hint,
      });
    },
  };
}
