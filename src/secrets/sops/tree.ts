/**
 * The in-memory shape SOPS encrypts: ordered mappings (duplicate keys allowed, comments as
 * items), sequences, and typed leaves. Order matters because the MAC is computed over the
 * leaves in walk order, so every format loader must keep document order exactly.
 */
export class Comment {
  constructor(
    readonly value: string,
    readonly inline = false,
  ) {}
}

/** A timestamp leaf as RFC 3339 text (SOPS type `time`). */
export class TimeValue {
  constructor(readonly text: string) {}
}

export type Leaf = string | bigint | number | boolean | TimeValue | null;

export interface Item {
  key: string | Comment;
  value: Node;
}

export class Branch {
  constructor(readonly items: Item[] = []) {}

  get(key: string): Node | undefined {
    return this.items.find((i) => i.key === key)?.value;
  }
}

export type Node = Leaf | Comment | Branch | Node[];

/** A whole document set: YAML may hold several documents, other formats hold one. */
export type Tree = Branch[];

export function isLeaf(n: Node): n is Leaf {
  return !(n instanceof Branch) && !(n instanceof Comment) && !Array.isArray(n);
}
