import { useCallback, useState } from 'react';

const KEY = 'sluice.identity';

function stored(): string {
  try {
    return window.localStorage.getItem(KEY) ?? '';
  } catch {
    return '';
  }
}

/**
 * Who is reviewing, as the name typed into the page. There is no login yet: the name is sent as
 * the `actor` of approvals and kept in this browser so it is typed once.
 */
export function useIdentity(): [string, (name: string) => void] {
  const [name, setName] = useState(stored);
  const update = useCallback((next: string) => {
    setName(next);
    try {
      if (next.trim()) window.localStorage.setItem(KEY, next.trim());
      else window.localStorage.removeItem(KEY);
    } catch {
      // Storage may be off (private mode); the name then lasts as long as the page.
    }
  }, []);
  return [name, update];
}
