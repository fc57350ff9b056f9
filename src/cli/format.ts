/** Terminal output helpers: colour only on a TTY, aligned tables, relative times. */
const useColor = (stream: NodeJS.WriteStream): boolean => stream.isTTY === true && !process.env.NO_COLOR;

const codes: Record<string, string> = { red: '31', green: '32', yellow: '33', blue: '34', gray: '90', bold: '1' };

export function color(name: keyof typeof codes, text: string, stream: NodeJS.WriteStream = process.stdout): string {
  return useColor(stream) ? `\x1b[${codes[name]}m${text}\x1b[0m` : text;
}

const statusColors: Record<string, keyof typeof codes> = {
  Healthy: 'green',
  Synced: 'green',
  Succeeded: 'green',
  Progressing: 'blue',
  Syncing: 'blue',
  Running: 'blue',
  OutOfSync: 'yellow',
  Missing: 'yellow',
  Suspended: 'gray',
  Unknown: 'gray',
  Degraded: 'red',
  Failed: 'red',
  Stalled: 'red',
  Superseded: 'gray',
};

export function status(text: string): string {
  return color(statusColors[text] ?? 'bold', text);
}

// eslint-disable-next-line no-control-regex
const ansi = /\x1b\[[0-9;]*m/g;

export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').replace(ansi, '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i]! - c.replace(ansi, '').length)))
      .join('  ')
      .trimEnd();
  return [line(headers.map((h) => color('bold', h))), ...rows.map(line)].join('\n');
}

export function ago(iso: string | undefined, now = Date.now()): string {
  if (!iso) return '-';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

export function short(rev: string | undefined): string {
  return rev ? rev.slice(0, 7) : '-';
}

/** A one-line progress indicator on a terminal's stderr; silent when stderr is a pipe. */
export function progress(): { update(msg: string): void; done(): void } {
  const tty = process.stderr.isTTY === true;
  let last = '';
  return {
    update(msg) {
      if (!tty || msg === last) return;
      last = msg;
      process.stderr.write(`\r\x1b[2K${color('gray', msg, process.stderr)}`);
    },
    done() {
      if (tty && last) process.stderr.write('\r\x1b[2K');
    },
  };
}
