import type { FastifyReply } from 'fastify';
import { isSluiceError } from '../../errors/index.js';

type Follow<Q> = (q: Q, signal: AbortSignal) => AsyncIterable<{ stream: string; text: string }>;

/**
 * `GET …/logs?follow=true`: one JSON line per log line ({stream, text}) as the target writes
 * it, on an answer that stays open. Reading stops (and the target's streams with it) when the
 * client goes away. A refusal before the first line (no such workload or container) is an
 * ordinary error answer; one after it is the last line, as {error}.
 */
export async function followLogs<Q>(
  follow: Follow<Q>,
  query: Q,
  reply: FastifyReply,
  mask: ((text: string) => string) | undefined,
): Promise<void> {
  const stop = new AbortController();
  const res = reply.raw;
  res.on('close', () => stop.abort());
  const lines = follow(query, stop.signal)[Symbol.asyncIterator]();
  let next: IteratorResult<{ stream: string; text: string }>;
  try {
    next = await lines.next();
  } catch (e) {
    stop.abort();
    throw e;
  }
  // The answer is written here, past the hooks that mask finished bodies: every line is masked itself.
  reply.hijack();
  res.writeHead(200, { 'Content-Type': 'application/x-ndjson', 'Cache-Control': 'no-store' });
  const write = async (value: unknown): Promise<void> => {
    const line = JSON.stringify(value);
    if (res.write(`${mask ? mask(line) : line}\n`)) return;
    // A slow reader: wait for it rather than buffer a chatty pod's log without end.
    await new Promise<void>((r) => {
      res.once('drain', r);
      stop.signal.addEventListener('abort', () => r(), { once: true });
    });
  };
  try {
    while (!next.done && !stop.signal.aborted) {
      await write(next.value);
      next = await lines.next();
    }
  } catch (e) {
    if (!stop.signal.aborted)
      await write({ error: isSluiceError(e) ? e.toJSON() : { code: 'INTERNAL', message: (e as Error).message } });
  } finally {
    stop.abort();
    await lines.return?.();
    if (!res.destroyed) res.end();
  }
}
