import { createHash } from 'node:crypto';
import { Branch, Comment, type Leaf, type Node, type Tree } from './tree.js';
import { decryptValue, encryptValue, leafBytes, ValueAuthError, ValueFormatError } from './cipher.js';
import type { EncryptionRules } from './metadata.js';

/**
 * The SOPS tree walk, encryption and MAC, ported from its definition so files round-trip with
 * the reference implementation: leaves are visited in document order, the additional data of a
 * value is its key path joined with ':' plus a trailing ':', sequence items share their parent's
 * path, nulls are skipped, and the MAC is the upper-case hex SHA-512 over each leaf's text.
 */

/** Fixed prefix hashed first when only encrypted values are MACed (SHA-256 of "sops"). */
const MAC_ONLY_ENCRYPTED_INIT = Buffer.from('8a3fd2ad54ce66527b1034f3d147be0b0b975b3bf44f72c6fdadec8176f27d69', 'hex');

type Visit = (leaf: Leaf | Comment, path: string[], comments: string[][]) => Leaf | Comment;

function walkNode(n: Node, path: string[], comments: string[][], visit: Visit): Node {
  if (n instanceof Branch) return walkBranch(n, path, comments, visit);
  if (Array.isArray(n)) return walkSeq(n, path, comments, visit);
  if (n === null) return null;
  return visit(n, path, comments);
}

function walkSeq(seq: Node[], path: string[], stack: string[][], visit: Visit): Node[] {
  const comments = [...stack, []];
  const top = comments.length - 1;
  seq.forEach((v, i) => {
    if (v instanceof Comment) comments[top] = [...comments[top]!, v.value];
    seq[i] = walkNode(v, path, comments, visit);
    if (!(v instanceof Comment)) comments[top] = [];
  });
  return seq;
}

function walkBranch(b: Branch, path: string[], stack: string[][], visit: Visit): Branch {
  const comments = [...stack, []];
  const top = comments.length - 1;
  for (const item of b.items) {
    if (item.key instanceof Comment) {
      comments[top] = [...comments[top]!, item.key.value];
      const out = visit(item.key, path, comments);
      item.key = out instanceof Comment ? out : new Comment(String(out), item.key.inline);
      continue;
    }
    const valueIsComment = item.value instanceof Comment;
    if (item.value instanceof Comment) comments[top] = [...comments[top]!, item.value.value];
    item.value = walkNode(item.value, [...path, item.key], comments, visit);
    if (!valueIsComment) comments[top] = [];
  }
  return b;
}

function regex(s: string): RegExp {
  return new RegExp(s);
}

export function shouldBeEncrypted(
  rules: EncryptionRules,
  path: string[],
  comments: string[][],
  isComment: boolean,
): boolean {
  let encrypted = true;
  if (rules.unencryptedSuffix && path.some((p) => p.endsWith(rules.unencryptedSuffix!))) encrypted = false;
  if (rules.encryptedSuffix) encrypted = path.some((p) => p.endsWith(rules.encryptedSuffix!));
  if (rules.unencryptedRegex && path.some((p) => regex(rules.unencryptedRegex!).test(p))) encrypted = false;
  if (rules.encryptedRegex) encrypted = path.some((p) => regex(rules.encryptedRegex!).test(p));
  if (rules.unencryptedCommentRegex) {
    const re = regex(rules.unencryptedCommentRegex);
    if (comments.some((cs) => cs.some((c) => re.test(c)))) encrypted = false;
  }
  if (rules.encryptedCommentRegex) {
    const re = regex(rules.encryptedCommentRegex);
    const lastI = comments.length - 1;
    const lastJ = (comments[lastI]?.length ?? 0) - 1;
    // The comment line that matches is itself left readable; only what follows it is encrypted.
    encrypted = comments.some((cs, i) => cs.some((c, j) => !(isComment && i === lastI && j === lastJ) && re.test(c)));
  }
  return encrypted;
}

/** Encrypts every eligible leaf in place and returns the MAC (hex) over the plaintext. */
export function encryptTree(tree: Tree, key: Uint8Array, rules: EncryptionRules): string {
  const hash = createHash('sha512');
  if (rules.macOnlyEncrypted) hash.update(MAC_ONLY_ENCRYPTED_INIT);
  const visit: Visit = (leaf, path, comments) => {
    const isComment = leaf instanceof Comment;
    const encrypted = shouldBeEncrypted(rules, path, comments, isComment);
    if ((!rules.macOnlyEncrypted || encrypted) && !isComment) hash.update(leafBytes(leaf));
    if (!encrypted) return leaf;
    const enc = encryptValue(leaf, key, path.join(':') + ':');
    return isComment ? new Comment(enc, leaf.inline) : enc;
  };
  for (const b of tree) walkBranch(b, [], [], visit);
  return hash.digest('hex').toUpperCase();
}

export type DecryptFailure = { kind: 'tampered'; path: string } | { kind: 'format'; path: string; detail: string };

export class TreeDecryptError extends Error {
  constructor(readonly failure: DecryptFailure) {
    super(failure.kind);
  }
}

/** Decrypts every eligible leaf in place and returns the MAC (hex) recomputed over the plaintext. */
export function decryptTree(tree: Tree, key: Uint8Array, rules: EncryptionRules): string {
  const hash = createHash('sha512');
  if (rules.macOnlyEncrypted) hash.update(MAC_ONLY_ENCRYPTED_INIT);
  const visit: Visit = (leaf, path, comments) => {
    const isComment = leaf instanceof Comment;
    const encrypted = shouldBeEncrypted(rules, path, comments, isComment);
    let out: Leaf | Comment = leaf;
    let mac: Buffer | undefined;
    if (encrypted) {
      const ad = path.join(':') + ':';
      if (isComment) {
        // Comments written by old SOPS versions may be plaintext; SOPS keeps them as they are.
        try {
          const d = decryptValue(leaf.value, key, ad);
          out = new Comment(d.value instanceof Comment ? d.value.value : String(d.value), leaf.inline);
        } catch {
          out = leaf;
        }
      } else if (typeof leaf === 'string') {
        try {
          const d = decryptValue(leaf, key, ad);
          out = d.value instanceof Comment ? d.value.value : d.value;
          mac = d.macBytes;
        } catch (e) {
          const where = path.join('.');
          if (e instanceof ValueAuthError) throw new TreeDecryptError({ kind: 'tampered', path: where });
          if (e instanceof ValueFormatError)
            throw new TreeDecryptError({ kind: 'format', path: where, detail: e.message });
          throw e;
        }
      } else {
        throw new TreeDecryptError({ kind: 'format', path: path.join('.'), detail: 'expected an encrypted string' });
      }
    }
    if ((!rules.macOnlyEncrypted || encrypted) && !isComment) hash.update(mac ?? leafBytes(out));
    return out;
  };
  for (const b of tree) walkBranch(b, [], [], visit);
  return hash.digest('hex').toUpperCase();
}
