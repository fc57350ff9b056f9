export type { ReadonlyFs, FsEntry, FsEntryType } from './types.js';
export { MemoryFs } from './memory.js';
export { DiskFs } from './disk.js';
export { joinPath, normalizePath, isWithin, dirnameOf } from './paths.js';
export { resolveLinks, linkEscapeError, loopError, MAX_LINK_HOPS, type LinkProbe } from './links.js';
