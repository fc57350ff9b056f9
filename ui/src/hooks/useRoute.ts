import { useEffect, useState } from 'react';

/** The windows the DORA page offers, in days. */
export const DORA_WINDOWS = [7, 30, 90] as const;
export type DoraWindowDays = (typeof DORA_WINDOWS)[number];

export type Route =
  | { view: 'matrix' }
  | { view: 'detail'; app: string; env: string }
  | { view: 'promotions' }
  | { view: 'audit' }
  | { view: 'dora'; days: DoraWindowDays };

/** Hash routes, so the server only ever has to serve index.html at `/`. */
export function parseRoute(hash: string): Route {
  const m = /^#\/apps\/([^/]+)\/envs\/([^/]+)\/?$/.exec(hash);
  if (m) return { view: 'detail', app: decodeURIComponent(m[1]!), env: decodeURIComponent(m[2]!) };
  if (/^#\/promotions\/?$/.test(hash)) return { view: 'promotions' };
  if (/^#\/audit\/?$/.test(hash)) return { view: 'audit' };
  const dora = /^#\/dora(?:\/(\d+))?\/?$/.exec(hash);
  if (dora) {
    const days = Number(dora[1] ?? 30);
    return { view: 'dora', days: DORA_WINDOWS.find((d) => d === days) ?? 30 };
  }
  return { view: 'matrix' };
}

export function detailHref(app: string, env: string): string {
  return `#/apps/${encodeURIComponent(app)}/envs/${encodeURIComponent(env)}`;
}

export function doraHref(days: DoraWindowDays): string {
  return `#/dora/${days}`;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
