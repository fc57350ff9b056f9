import { Fragment } from 'react';

/** `file:line` that wraps after a slash rather than inside a name or before the line number. */
export function FileLocation({ location, testId }: { location: string; testId?: string }) {
  const parts = location.split('/');
  return (
    <code className="file-location" data-testid={testId}>
      {parts.map((part, i) => (
        <Fragment key={i}>
          {part}
          {i < parts.length - 1 && (
            <>
              /<wbr />
            </>
          )}
        </Fragment>
      ))}
    </code>
  );
}
