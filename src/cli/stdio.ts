/**
 * A reader that stops early (`sluice events | head`) closes the pipe. That ends the output, as it
 * does for any Unix tool, instead of an unhandled `EPIPE` and a stack trace on stderr.
 */
export function endQuietlyOnClosedPipe(stream: NodeJS.WriteStream = process.stdout): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  });
}
