import type { StatusError } from '../api/types.ts';
import { location } from '../format.ts';
import { FileLocation } from './FileLocation.tsx';

/** What failed, where (file:line, field, resource) and what to do about it. */
export function ErrorBox({
  error,
  title,
  testId = 'error-box',
}: {
  error: StatusError;
  title: string;
  testId?: string;
}) {
  const where = location(error);
  return (
    <section className="error-box" role="alert" aria-label={title} data-testid={testId}>
      <h3>
        {title} <code className="error-code">{error.code}</code>
      </h3>
      <p className="error-message">{error.message}</p>
      <dl className="error-where">
        {where && (
          <>
            <dt>File</dt>
            <dd>
              <FileLocation location={where} testId="error-location" />
            </dd>
          </>
        )}
        {error.field && (
          <>
            <dt>Field</dt>
            <dd>
              <code>{error.field}</code>
            </dd>
          </>
        )}
        {error.resource && (
          <>
            <dt>Resource</dt>
            <dd>
              <code>{error.resource}</code>
            </dd>
          </>
        )}
      </dl>
      {error.hint && (
        <p className="error-hint" data-testid="error-hint">
          <strong>Hint:</strong> {error.hint}
        </p>
      )}
    </section>
  );
}
