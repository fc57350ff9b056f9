/** Where a config repo is hosted, and what its REST client needs. */
export type Hosting =
  | { kind: 'github'; host: string; apiUrl: string; owner: string; repo: string }
  | { kind: 'gitlab'; host: string; apiUrl: string; project: string };

/** A self-managed GitHub Enterprise Server or GitLab, by the base URL people browse it at. */
export interface SelfHostedBase {
  kind: 'github' | 'gitlab';
  /** e.g. https://git.example.com or https://example.com/gitlab */
  url: string;
  /** Defaults to <url>/api/v3 (GitHub) or <url>/api/v4 (GitLab). */
  apiUrl?: string;
}

interface Remote {
  /** Lowercased host name without port. */
  hostname: string;
  /** Path segments without a trailing .git. */
  segments: string[];
  web: boolean;
}

/**
 * Recognises GitHub, GitLab and configured self-hosted bases from a git remote URL, in any of
 * the forms git accepts: https://host/owner/repo(.git), ssh://git@host[:port]/owner/repo,
 * git@host:owner/repo and git://host/owner/repo. Undefined when the host is not one of them.
 * Pure: no network, no environment.
 */
export function detectHosting(remoteUrl: string, selfHosted: readonly SelfHostedBase[] = []): Hosting | undefined {
  const remote = parseRemote(remoteUrl);
  if (!remote) return undefined;
  for (const base of selfHosted) {
    const b = parseBase(base.url);
    if (!b || b.hostname !== remote.hostname) continue;
    // Over http(s) a base under a path (example.com/gitlab) prefixes the repo path; over ssh it does not.
    let segments = remote.segments;
    if (remote.web && b.prefix.length > 0) {
      if (!b.prefix.every((p, i) => segments[i] === p)) continue;
      segments = segments.slice(b.prefix.length);
    }
    const root = base.url.replace(/\/+$/, '');
    const apiUrl = base.apiUrl ?? `${root}/api/${base.kind === 'github' ? 'v3' : 'v4'}`;
    const found = toHosting(base.kind, remote.hostname, apiUrl, segments);
    if (found) return found;
  }
  if (remote.hostname === 'github.com' || remote.hostname === 'www.github.com') {
    return toHosting('github', 'github.com', 'https://api.github.com', remote.segments);
  }
  if (remote.hostname === 'gitlab.com' || remote.hostname === 'www.gitlab.com') {
    return toHosting('gitlab', 'gitlab.com', 'https://gitlab.com/api/v4', remote.segments);
  }
  return undefined;
}

function toHosting(kind: 'github' | 'gitlab', host: string, apiUrl: string, segments: string[]): Hosting | undefined {
  if (kind === 'github') {
    // GitHub repositories are exactly owner/repo.
    if (segments.length !== 2) return undefined;
    return { kind, host, apiUrl, owner: segments[0]!, repo: segments[1]! };
  }
  // GitLab nests groups: group/subgroup/project.
  if (segments.length < 2) return undefined;
  return { kind, host, apiUrl, project: segments.join('/') };
}

function parseRemote(url: string): Remote | undefined {
  const text = url.trim();
  const scp = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/\/)(.+)$/.exec(text);
  if (scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    return { hostname: scp[1]!.toLowerCase(), segments: segmentsOf(scp[2]!), web: false };
  }
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return undefined;
  }
  const web = u.protocol === 'https:' || u.protocol === 'http:';
  if (!web && u.protocol !== 'ssh:' && u.protocol !== 'git:' && u.protocol !== 'git+ssh:' && u.protocol !== 'ssh+git:')
    return undefined;
  if (!u.hostname) return undefined;
  return { hostname: u.hostname.toLowerCase(), segments: segmentsOf(decodeURIComponent(u.pathname)), web };
}

function parseBase(url: string): { hostname: string; prefix: string[] } | undefined {
  try {
    const u = new URL(url);
    return { hostname: u.hostname.toLowerCase(), prefix: segmentsOf(u.pathname) };
  } catch {
    return undefined;
  }
}

function segmentsOf(path: string): string[] {
  const parts = path.split('/').filter((s) => s.length > 0);
  if (parts.length > 0) parts[parts.length - 1] = parts[parts.length - 1]!.replace(/\.git$/, '');
  return parts.filter((s) => s.length > 0);
}
