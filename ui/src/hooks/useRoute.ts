import { useEffect, useState } from 'react';

export type Route = { view: 'matrix' } | { view: 'detail'; app: string; env: string };

/** Hash routes, so the server only ever has to serve index.html at `/`. */
export function parseRoute(hash: string): Route {
  const m = /^#\/apps\/([^/]+)\/envs\/([^/]+)\/?$/.exec(hash);
  if (m) return { view: 'detail', app: decodeURIComponent(m[1]!), env: decodeURIComponent(m[2]!) };
  return { view: 'matrix' };
}

export function detailHref(app: string, env: string): string {
  return `#/apps/${encodeURIComponent(app)}/envs/${encodeURIComponent(env)}`;
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
