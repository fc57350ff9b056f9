import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { MUTATING } from './auth/hook.js';

export interface RateLimit {
  /** Mutating requests one credential may make per window. */
  max: number;
  windowMs: number;
}

/** Enough for a CI pipeline and a busy dashboard; a runaway script is stopped within a minute. */
export const DEFAULT_RATE_LIMIT: RateLimit = { max: 120, windowMs: 60_000 };

/**
 * Cookies, security headers and rate limits, registered before any route so each applies to
 * all of them.
 */
export function installLimits(app: FastifyInstance, rateLimit: RateLimit = DEFAULT_RATE_LIMIT): void {
  void app.register(fastifyCookie);
  void app.register(fastifyHelmet, {
    // The dashboard is one script and one stylesheet from its own origin; its charts set
    // style attributes, which the style-src allows. Served over plain http on loopback, so no
    // HSTS and no upgrade of requests to https.
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    strictTransportSecurity: false,
  });
  // Counted per credential after authentication (a token, a session's subject); requests
  // without one (sign-in attempts, webhooks) per client address.
  void app.register(fastifyRateLimit, {
    global: true,
    hook: 'preHandler',
    max: rateLimit.max,
    timeWindow: rateLimit.windowMs,
    allowList: (req) => !MUTATING.has(req.method),
    keyGenerator: (req) =>
      req.token ? `token:${req.token.id}` : req.identity ? `subject:${req.identity.subject}` : `ip:${req.ip}`,
    errorResponseBuilder: (_req, ctx) => ({
      statusCode: 429,
      code: 'RATE_LIMITED',
      message: `more than ${ctx.max} changes in ${ctx.after}`,
      hint: `Wait ${ctx.after} and try again.`,
    }),
  });
}
