import { parseAllDocuments } from 'yaml';
import { RenderError } from '../errors/index.js';
import type { FsEntry, FsEntryType, ReadonlyFs } from '../vfs/index.js';

const SHOWN = 5;

/** A tree that notes every file read through it, so an empty render can say which files gave nothing. */
export class ReadRecordingFs implements ReadonlyFs {
  readonly read: string[] = [];
  constructor(private readonly inner: ReadonlyFs) {}
  readFile(path: string): Uint8Array {
    this.read.push(path);
    return this.inner.readFile(path);
  }
  lstat(path: string): FsEntryType | undefined {
    return this.inner.lstat(path);
  }
  stat(path: string): 'file' | 'dir' | undefined {
    return this.inner.stat(path);
  }
  readDir(path: string): FsEntry[] {
    return this.inner.readDir(path);
  }
  readLink(path: string): string {
    return this.inner.readLink(path);
  }
  realPath(path: string): string {
    return this.inner.realPath(path);
  }
}

/** Why one file the render read gave nothing, in the words a person would check it by. */
function whyEmpty(fs: ReadonlyFs, file: string): string {
  let text: string;
  try {
    text = Buffer.from(fs.readFile(file)).toString('utf8');
  } catch {
    return `${file} could not be read`;
  }
  if (text.trim() === '') return `${file} holds no resources (empty file)`;
  let docs;
  try {
    docs = parseAllDocuments(text);
  } catch {
    return `${file} yields no resources`;
  }
  const list = Array.isArray(docs) ? docs : [docs];
  if (list.every((d) => d.errors.length === 0 && d.toJS() == null)) {
    const lines = text.split('\n').map((l) => l.trim());
    const onlySeparators = lines.every((l) => l === '' || l === '---' || l === '...');
    return `${file} holds no resources (${onlySeparators ? "only '---'" : "only comments and '---'"})`;
  }
  return `${file} yields no resources`;
}

/**
 * The error for a render that gave no resources: an empty render would remove everything the
 * app runs, so it names each file read and why it is empty.
 */
export function emptyRenderError(
  fs: ReadonlyFs,
  app: string,
  env: string,
  dir: string,
  read: readonly string[],
): RenderError {
  const files = [...new Set(read)];
  const reasons = files.slice(0, SHOWN).map((f) => whyEmpty(fs, f));
  if (files.length > SHOWN) reasons.push(`and ${files.length - SHOWN} more files`);
  const why = reasons.length ? reasons.join('; ') : `${dir} holds no manifest files`;
  return new RenderError('EMPTY_RENDER', `app "${app}" renders no resources for ${env}: ${why}`, {
    file: files[0] ?? dir,
    hint: `Applying it would remove everything "${app}" runs in ${env}, so nothing was applied. Add the manifests; or set allowEmpty: true on the app in sluice.yaml to run nothing; or remove the app from sluice.yaml.`,
  });
}
