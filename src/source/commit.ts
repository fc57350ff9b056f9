import { SourceError } from '../errors/index.js';
import { parseCommitMessage, type Trailer } from './message.js';

export interface Signature {
  name: string;
  email: string;
  time: Date;
}

export interface CommitInfo {
  sha: string;
  tree: string;
  parents: string[];
  author: Signature;
  committer: Signature;
  subject: string;
  body: string;
  trailers: Trailer[];
}

/** Parses a raw commit object as printed by `git cat-file commit`. */
export function parseCommit(sha: string, raw: Buffer): CommitInfo {
  const text = raw.toString('utf8');
  const split = text.indexOf('\n\n');
  const head = split < 0 ? text : text.slice(0, split);
  const message = split < 0 ? '' : text.slice(split + 2);
  let tree = '';
  const parents: string[] = [];
  let author: Signature | undefined;
  let committer: Signature | undefined;
  for (const line of head.split('\n')) {
    if (line.startsWith(' ')) continue; // continuation of a multi-line header such as gpgsig
    const space = line.indexOf(' ');
    const key = line.slice(0, space);
    const value = line.slice(space + 1);
    if (key === 'tree') tree = value;
    else if (key === 'parent') parents.push(value);
    else if (key === 'author') author = parseSignature(value);
    else if (key === 'committer') committer = parseSignature(value);
  }
  if (!tree || !author || !committer) throw new SourceError('SOURCE_GIT_FAILED', `commit ${sha} could not be parsed`);
  return { sha, tree, parents, author, committer, ...parseCommitMessage(message) };
}

function parseSignature(value: string): Signature {
  const m = /^(.*?) ?<([^>]*)> (\d+) ([+-]\d{4})$/.exec(value);
  if (!m) return { name: value, email: '', time: new Date(0) };
  return { name: m[1]!, email: m[2]!, time: new Date(Number(m[3]) * 1000) };
}
