import { describe, expect, it } from 'vitest';
import { parseCommit } from './commit.js';
import { formatCommitMessage, parseCommitMessage } from './message.js';

describe('commit messages', () => {
  it('formats a subject, body and trailers and reads them back', () => {
    const text = formatCommitMessage({
      subject: 'Promote payments to prod',
      body: 'Copies the image digest from staging.',
      trailers: { 'Sluice-Promotion': 'staging->prod', 'Sluice-App': 'payments' },
    });
    expect(text).toBe(
      'Promote payments to prod\n\nCopies the image digest from staging.\n\nSluice-Promotion: staging->prod\nSluice-App: payments\n',
    );
    expect(parseCommitMessage(text)).toEqual({
      subject: 'Promote payments to prod',
      body: 'Copies the image digest from staging.',
      trailers: [
        { key: 'Sluice-Promotion', value: 'staging->prod' },
        { key: 'Sluice-App', value: 'payments' },
      ],
    });
  });

  it('keeps a last paragraph that is not all trailers as body', () => {
    expect(parseCommitMessage('Fix\n\nSee: this\nand more')).toEqual({
      subject: 'Fix',
      body: 'See: this\nand more',
      trailers: [],
    });
  });

  it('rejects trailer keys that would not read back', () => {
    expect(() => formatCommitMessage({ subject: 's', trailers: { 'bad key': 'v' } })).toThrow(/trailer key/);
  });

  it('parses a raw commit object, skipping signature continuation lines', () => {
    const raw = [
      'tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904',
      'parent 1111111111111111111111111111111111111111',
      'author Ann Example <ann@example.com> 1700000000 +0100',
      'committer Bot <bot@example.com> 1700000100 +0000',
      'gpgsig -----BEGIN PGP SIGNATURE-----',
      ' abc',
      ' -----END PGP SIGNATURE-----',
      '',
      'Subject line',
      '',
      'Body.',
      '',
      'Signed-off-by: Ann <ann@example.com>',
      '',
    ].join('\n');
    const c = parseCommit('2222222222222222222222222222222222222222', Buffer.from(raw));
    expect(c.parents).toEqual(['1111111111111111111111111111111111111111']);
    expect(c.author).toEqual({ name: 'Ann Example', email: 'ann@example.com', time: new Date(1_700_000_000_000) });
    expect(c.committer.name).toBe('Bot');
    expect(c.subject).toBe('Subject line');
    expect(c.body).toBe('Body.');
    expect(c.trailers).toEqual([{ key: 'Signed-off-by', value: 'Ann <ann@example.com>' }]);
  });
});
