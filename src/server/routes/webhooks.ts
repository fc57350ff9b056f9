import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Project, SecretRef } from '../../config/index.js';
import { parseByteSize } from '../../model/read-limits.js';
import type { Store } from '../../store/types.js';
import { genericIntent, githubIntent, gitlabIntent, type WebhookIntent } from '../webhooks/deliveries.js';
import { constantTimeEqual, hmacMatches, readSecret, WebhookSecretError } from '../webhooks/signature.js';

export type WebhookSender = 'github' | 'gitlab' | 'generic';

export interface WebhookRouteOptions {
  store: Store;
  project: () => Project | undefined;
  projectName: () => string;
  /** The branch the source follows. */
  branch: () => string;
  /** Fetch the config repo now (a push reached the followed branch). */
  fetchNow: () => void;
  /** Read a hosted request back now; false when no open promotion request is that one. */
  reviewed: (backend: 'github' | 'gitlab', requestId: string) => Promise<boolean>;
  env?: NodeJS.ProcessEnv;
}

/** Deliveries larger than this are refused when sluice.yaml sets no limit. */
export const DEFAULT_WEBHOOK_BODY_LIMIT = 1024 * 1024;

/** How each sender proves a delivery and names it. */
const senders: Record<
  WebhookSender,
  {
    deliveryHeader: string;
    eventHeader?: string;
    authentic: (req: FastifyRequest, body: Buffer, secret: Buffer) => boolean;
    signatureHeader: string;
    intent: (event: string, body: Record<string, unknown>) => WebhookIntent;
  }
> = {
  github: {
    deliveryHeader: 'x-github-delivery',
    eventHeader: 'x-github-event',
    signatureHeader: 'x-hub-signature-256',
    authentic: (req, body, secret) => hmacMatches(header(req, 'x-hub-signature-256'), body, secret),
    intent: githubIntent,
  },
  gitlab: {
    // GitLab sends the secret itself, not a signature: compared in constant time all the same.
    deliveryHeader: 'x-gitlab-event-uuid',
    eventHeader: 'x-gitlab-event',
    signatureHeader: 'x-gitlab-token',
    authentic: (req, _body, secret) => {
      const token = header(req, 'x-gitlab-token');
      return token !== undefined && constantTimeEqual(token, secret);
    },
    intent: gitlabIntent,
  },
  generic: {
    deliveryHeader: 'x-sluice-delivery',
    signatureHeader: 'x-sluice-signature-256',
    authentic: (req, body, secret) => hmacMatches(header(req, 'x-sluice-signature-256'), body, secret),
    intent: (_event, body) => genericIntent(body),
  },
};

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

class BodyTooLarge extends Error {
  readonly statusCode = 413;
  constructor(limit: number) {
    super(`the delivery is larger than the limit of ${limit} bytes (spec.webhooks.maxBodySize)`);
  }
}

/**
 * POST /api/v1/webhooks/{github,gitlab,generic}. They authenticate by the sender's signature,
 * not by a Sluice credential (`config.auth: 'public'`), and read the body as raw bytes: the
 * signature is over exactly the bytes sent. In order: size, signature (401 and a
 * `webhook.rejected` event), delivery id (a repeated one is answered `duplicate` and acts
 * no more), then the action.
 */
export function webhookRoutes(o: WebhookRouteOptions): (app: FastifyInstance) => void {
  const limit = () => {
    const v = o.project()?.webhooks?.maxBodySize;
    return v === undefined ? DEFAULT_WEBHOOK_BODY_LIMIT : parseByteSize(v);
  };
  return (app) => {
    void app.register(async (scope) => {
      // Raw bytes for every content type, read up to the configured limit and no further.
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', (req, payload, done) => {
        const max = limit();
        if (Number(req.headers['content-length'] ?? 0) > max) {
          done(new BodyTooLarge(max), undefined);
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        let failed = false;
        payload.on('data', (c: Buffer) => {
          if (failed) return;
          size += c.length;
          if (size > max) {
            failed = true;
            done(new BodyTooLarge(max), undefined);
            return;
          }
          chunks.push(c);
        });
        payload.on('end', () => {
          if (!failed) done(null, Buffer.concat(chunks));
        });
        payload.on('error', (e) => {
          if (!failed) done(e, undefined);
        });
      });
      for (const sender of Object.keys(senders) as WebhookSender[]) {
        scope.post(
          `/api/v1/webhooks/${sender}`,
          { config: { auth: 'public' }, bodyLimit: 1024 * 1024 * 1024 },
          async (req, reply) => receive(o, sender, req, reply),
        );
      }
    });
  };
}

async function receive(o: WebhookRouteOptions, sender: WebhookSender, req: FastifyRequest, reply: FastifyReply) {
  const s = senders[sender];
  const project = o.projectName();
  const ref: SecretRef | undefined = o.project()?.webhooks?.[sender]?.secretFrom;
  const reject = async (status: number, code: string, reason: string) => {
    await o.store.addEvent({
      project,
      type: 'webhook.rejected',
      severity: 'warning',
      message: `${sender} webhook refused: ${reason}`,
      data: { sender, reason, ...(header(req, s.deliveryHeader) ? { delivery: header(req, s.deliveryHeader) } : {}) },
    });
    return reply.code(status).send({ code, message: reason });
  };
  if (!ref) {
    return reject(
      404,
      'WEBHOOK_NOT_CONFIGURED',
      `spec.webhooks.${sender} is not configured in sluice.yaml, so no ${sender} delivery can be verified`,
    );
  }
  let secret: Buffer;
  try {
    secret = readSecret(ref, o.env);
  } catch (e) {
    if (e instanceof WebhookSecretError) return reject(503, e.code, e.message);
    throw e;
  }
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  if (!header(req, s.signatureHeader)) return reject(401, 'WEBHOOK_UNSIGNED', `no ${s.signatureHeader} header`);
  if (!s.authentic(req, body, secret))
    return reject(401, 'WEBHOOK_BAD_SIGNATURE', `${s.signatureHeader} does not match the configured secret`);

  const delivery = header(req, s.deliveryHeader);
  if (!delivery) return reply.code(400).send({ code: 'BAD_REQUEST', message: `no ${s.deliveryHeader} header` });
  let payload: Record<string, unknown>;
  try {
    const parsed: unknown = body.length ? JSON.parse(body.toString('utf8')) : {};
    payload = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return reply.code(400).send({ code: 'BAD_REQUEST', message: 'the delivery body is not JSON' });
  }
  if (!(await o.store.webhooks.claimDelivery(sender, delivery, new Date().toISOString())))
    return reply.code(200).send({ result: 'duplicate', delivery });

  const event = s.eventHeader ? (header(req, s.eventHeader) ?? '') : 'push';
  const intent = s.intent(event, payload);
  const branch = o.branch();
  let result: string;
  switch (intent.kind) {
    case 'push':
      result = intent.ref === undefined || intent.ref === `refs/heads/${branch}` ? 'fetching' : 'ignored';
      break;
    case 'review':
      result = 'reading-request';
      break;
    default:
      result = 'ignored';
  }
  // The event is recorded before the action starts, so whatever the action causes comes after it.
  await o.store.addEvent({
    project,
    type: 'webhook.received',
    severity: 'info',
    message:
      result === 'fetching'
        ? `${sender} push to ${branch}: fetching now`
        : result === 'reading-request'
          ? `${sender} review on request ${(intent as { requestId: string }).requestId}: reading it now`
          : `${sender} ${intent.kind === 'other' ? intent.event : intent.kind} ignored`,
    data: { sender, delivery, event, result },
  });
  if (result === 'fetching') o.fetchNow();
  if (intent.kind === 'review') {
    // A request that cannot be read now is read again by the next poll; the delivery was good.
    const found = await o.reviewed(intent.backend, intent.requestId).catch(() => true);
    if (!found) result = 'ignored';
  }
  return reply.code(200).send({ result, delivery });
}
