import { useId, type ReactNode } from 'react';

/** A titled region, so screen readers can jump between parts of a page by heading. */
export function Section({ title, testId, children }: { title: string; testId?: string; children: ReactNode }) {
  const id = useId();
  return (
    <section className="section" aria-labelledby={id} data-testid={testId}>
      <h3 id={id}>{title}</h3>
      {children}
    </section>
  );
}
