import { useId } from 'react';

/** "Your name": who approvals and rejections are made as, kept in this browser (there is no login yet). */
export function IdentityField({ name, onChange }: { name: string; onChange: (name: string) => void }) {
  const id = useId();
  return (
    <div className="identity">
      <label htmlFor={id}>Your name</label>
      <input
        id={id}
        type="text"
        value={name}
        onChange={(e) => onChange(e.target.value)}
        placeholder="e.g. alice"
        autoComplete="username"
        spellCheck={false}
        data-testid="identity"
      />
      <span className="muted">Reviews are recorded under this name; it stays in this browser.</span>
    </div>
  );
}
