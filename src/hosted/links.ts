import { detectHosting, type SelfHostedBase } from './detect.js';

/**
 * The web page of a config commit on the forge hosting the remote, or undefined when the remote
 * is not on a known host. GitHub: `<host>/<owner>/<repo>/commit/<sha>`; GitLab:
 * `<host>/<project>/-/commit/<sha>`.
 */
export function commitLink(
  remoteUrl: string,
  revision: string,
  selfHosted: readonly SelfHostedBase[] = [],
): string | undefined {
  const hosting = detectHosting(remoteUrl, selfHosted);
  if (!hosting) return undefined;
  const sha = encodeURIComponent(revision);
  const base = selfHosted.find((b) => b.kind === hosting.kind && new URL(b.url).hostname === hosting.host);
  const root = base ? base.url.replace(/\/+$/, '') : `https://${hosting.host}`;
  return hosting.kind === 'github'
    ? `${root}/${hosting.owner}/${hosting.repo}/commit/${sha}`
    : `${root}/${hosting.project}/-/commit/${sha}`;
}
