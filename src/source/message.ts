/**
 * Commit messages Sluice writes: a subject, an optional body and trailers (`Key: value`
 * lines in the last paragraph) that tools can read back, e.g. `Sluice-Promotion: dev->staging`.
 */
export interface Trailer {
  key: string;
  value: string;
}

export interface CommitMessage {
  subject: string;
  body?: string;
  trailers?: Trailer[] | Record<string, string>;
}

const TRAILER_LINE = /^([A-Za-z0-9][A-Za-z0-9-]*):\s?(.*)$/;

export function formatCommitMessage(m: CommitMessage): string {
  const subject = m.subject.replace(/\s*\n\s*/g, ' ').trim();
  if (subject === '') throw new Error('a commit message needs a subject');
  const parts = [subject];
  const body = m.body?.trim();
  if (body) parts.push(body);
  const trailers = toTrailers(m.trailers);
  if (trailers.length > 0) {
    for (const t of trailers) {
      if (!/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(t.key)) throw new Error(`invalid trailer key ${JSON.stringify(t.key)}`);
    }
    parts.push(trailers.map((t) => `${t.key}: ${t.value.replace(/\s*\n\s*/g, ' ').trim()}`).join('\n'));
  }
  return `${parts.join('\n\n')}\n`;
}

function toTrailers(t: CommitMessage['trailers']): Trailer[] {
  if (!t) return [];
  return Array.isArray(t) ? t : Object.entries(t).map(([key, value]) => ({ key, value }));
}

/** Splits a raw message into subject, body and trailers. */
export function parseCommitMessage(raw: string): { subject: string; body: string; trailers: Trailer[] } {
  const text = raw.replace(/\r\n/g, '\n').replace(/\s+$/, '');
  const paragraphs = text.split(/\n{2,}/);
  const subject = (paragraphs.shift() ?? '').replace(/\n/g, ' ').trim();
  let trailers: Trailer[] = [];
  const last = paragraphs[paragraphs.length - 1];
  if (last !== undefined) {
    const lines = last.split('\n');
    if (lines.every((l) => TRAILER_LINE.test(l))) {
      trailers = lines.map((l) => {
        const m = TRAILER_LINE.exec(l)!;
        return { key: m[1]!, value: m[2]!.trim() };
      });
      paragraphs.pop();
    }
  }
  return { subject, body: paragraphs.join('\n\n'), trailers };
}
