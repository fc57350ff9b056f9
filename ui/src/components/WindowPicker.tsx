import { DORA_WINDOWS, doraHref, type DoraWindowDays } from '../hooks/useRoute.ts';

/** 7, 30 or 90 days: links, so a chosen window can be bookmarked and shared. */
export function WindowPicker({ days }: { days: DoraWindowDays }) {
  return (
    <nav className="window-picker" aria-label="Window" data-testid="window-picker">
      {DORA_WINDOWS.map((d) => (
        <a key={d} href={doraHref(d)} aria-current={d === days ? 'true' : undefined} data-testid={`window-${d}`}>
          {d} days
        </a>
      ))}
    </nav>
  );
}
