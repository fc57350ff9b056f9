import { readdirSync, readFileSync } from 'node:fs';

/**
 * Linux /proc readers. A pid alone is not an identity (pids are reused), so a process is
 * "ours" only when its pid and its start time (field 22 of /proc/<pid>/stat) both match.
 */
export interface ProcStat {
  pid: number;
  state: string;
  pgid: number;
  /** Clock ticks after boot, as a string to keep it exact. */
  startTime: string;
}

export function readProcStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses; fields resume after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { pid, state: rest[0]!, pgid: Number(rest[2]), startTime: rest[19]! };
}

/** Running (not a zombie) and still the same process that was recorded. */
export function isSameProcess(pid: number, startTime: string): boolean {
  const stat = readProcStat(pid);
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X' && stat.startTime === startTime;
}

export function readEnviron(pid: number): Map<string, string> | undefined {
  let raw: string;
  try {
    raw = readFileSync(`/proc/${pid}/environ`, 'utf8');
  } catch {
    return undefined;
  }
  const env = new Map<string, string>();
  for (const entry of raw.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return env;
}

export interface MarkedProcess {
  pid: number;
  pgid: number;
  replicaId: string | undefined;
}

/** Every live process whose environment carries `SLUICE_OWNER=<owner>`. */
export function findMarkedProcesses(owner: string): MarkedProcess[] {
  const found: MarkedProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const env = readEnviron(pid);
    if (env?.get('SLUICE_OWNER') !== owner) continue;
    const stat = readProcStat(pid);
    if (!stat || stat.state === 'Z') continue;
    found.push({ pid, pgid: stat.pgid, replicaId: env.get('SLUICE_REPLICA_ID') });
  }
  return found;
}

/**
 * Whether any live member of a process group remains. Zombies do not count: where PID 1 does
 * not reap (some containers), a killed member can linger as a zombie for a long time.
 */
export function groupAlive(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = readProcStat(pid);
    if (stat && stat.pgid === pgid && stat.state !== 'Z' && stat.state !== 'X') return true;
  }
  return false;
}

/** Signals a whole process group; false when the group is gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw e;
  }
}
