import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import Fastify from 'fastify';
import { type ZodTypeProvider, jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { packageVersion } from '../paths.js';
import { PIPELINE, type Pipeline } from '../stages/index.js';
import type { Services } from '../stages/types.js';
import { retryStory } from '../retry.js';
import { createStory, newStorySchema, storyDetail, storyPage, storyPageSchema } from '../stories.js';
import { bearerCheck } from './auth.js';
import { BODY_TIMEOUT_MS, bodyTimeout, clientErrors, frameworkErrors, keyOutsideAuthorization, pathOf, strictJson } from './guards.js';
import { contactSheetRoute } from './routes/contact-sheet.js';
import { repetitionRoute } from './routes/repetition.js';
import { approvalRoutes } from './routes/approval.js';
import { ApiError, BODY_LIMIT, toApiError } from './errors.js';
import { createdSchema, errorSchema, healthSchema, retriedSchema, retryBodySchema, storyDetailSchema, storyIdParams, storyPageResponseSchema } from './schemas.js';

export interface AppOptions {
  /** API keys; empty: no authentication (the command allows that on loopback only). */
  keys: readonly string[];
  /** New stories one key (or, without keys, one address) may create per window. */
  rateLimit: { max: number; windowSeconds: number };
  pipeline?: Pipeline;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Which API key the request carried: its 1-based position in the list, never the key. */
    apiKey: number | null;
  }
}

const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, errorSchema]));

/**
 * The HTTP API on the same modules as the CLI: requests are validated with the CLI's schemas, stories
 * are created and retried with the CLI's functions, and answered with the JSON `status --json` prints.
 * It only enqueues and reads; workers run the stages.
 */
export async function buildApp(s: Services, opts: AppOptions) {
  const pipeline = opts.pipeline ?? PIPELINE;
  // a client that stops sending half-way is cut off after 30 s, so it cannot hold up a shutdown
  // (and src/server/guards.ts holds the body to that: Node only checks its timeout every 30 s)
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT,
    return503OnClosing: true,
    requestTimeout: BODY_TIMEOUT_MS,
    frameworkErrors,
    clientErrorHandler: clientErrors(s.logger),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('apiKey', null);
  app.removeContentTypeParser('text/plain'); // bodies are JSON: anything else is a 415
  strictJson(app);
  bodyTimeout(app);

  app.setErrorHandler((err, req, reply) => {
    const api = toApiError(err);
    if (api.statusCode >= 500) s.logger.error('request failed', { id: req.id, method: req.method, url: pathOf(req.url), error: err instanceof Error ? err.message : String(err) });
    return reply.code(api.statusCode).send(api.toJSON());
  });
  app.setNotFoundHandler((req, reply) => {
    const api = new ApiError(404, 'not_found', `no route ${req.method} ${req.url.split('?')[0]}; /openapi.json lists the routes`);
    return reply.code(404).send(api.toJSON());
  });

  const check = bearerCheck(opts.keys);
  app.addHook('onRequest', async (req, reply) => {
    s.logger.debug('request started', { id: req.id, method: req.method, url: pathOf(req.url) });
    const misplaced = keyOutsideAuthorization(req);
    if (misplaced) throw misplaced;
    if (!opts.keys.length || req.routeOptions.url === '/healthz') return;
    req.apiKey = check(req.headers.authorization);
    if (req.apiKey === null) {
      reply.header('www-authenticate', 'Bearer realm="lost-archives"');
      throw new ApiError(401, 'unauthorized', req.headers.authorization ? 'the API key is not valid' : 'send an API key: Authorization: Bearer <key>');
    }
  });
  // one line a request, with nothing secret: which key by its position, never a header or a query string
  app.addHook('onResponse', async (req, reply) => {
    const fields = { id: req.id, method: req.method, url: pathOf(req.url), status: reply.statusCode, ms: Math.round(reply.elapsedTime), key: req.apiKey ?? undefined, ip: req.ip };
    if (req.routeOptions.url === '/healthz') s.logger.debug('request', fields);
    else s.logger.info('request', fields);
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'lost-archives', version: packageVersion, description: 'Create and watch narrated documentary stories; workers (`lost-archives run-worker`) make them.' },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'one of the keys in LOST_ARCHIVES_API_KEYS' } } },
      security: [{ apiKey: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(rateLimit, {
    global: false,
    keyGenerator: (req) => (req.apiKey ? `key ${req.apiKey}` : `ip ${req.ip}`),
    errorResponseBuilder: (_req, ctx) => new ApiError(429, 'rate_limited', `at most ${ctx.max} new stories per ${ctx.after}; try again in ${ctx.after}`),
  });

  app.post('/stories', {
    schema: { summary: 'Create a story and queue its first stage', body: newStorySchema, response: { 201: createdSchema, ...errors(400, 401, 408, 413, 415, 429) } },
    config: { rateLimit: { max: opts.rateLimit.max, timeWindow: opts.rateLimit.windowSeconds * 1000 } },
    handler: async (req, reply) => {
      const story = await createStory(s, pipeline, req.body);
      return reply.code(201).header('location', `/stories/${story.id}`).send({ story_id: story.id, status: story.status });
    },
  });

  app.get('/stories', {
    schema: { summary: 'A page of stories, newest first (the JSON of `status --json`)', querystring: storyPageSchema, response: { 200: storyPageResponseSchema, ...errors(400, 401) } },
    handler: async (req) => storyPage(s.db, req.query),
  });

  app.get('/stories/:story_id', {
    schema: { summary: 'One story with its scenes, jobs and assets (the JSON of `status ID --json`)', params: storyIdParams, response: { 200: storyDetailSchema, ...errors(400, 401, 404, 414) } },
    handler: async (req) => storyDetail(s.db, req.params.story_id),
  });

  app.post('/stories/:story_id/retry', {
    schema: {
      summary: 'Resume a failed story at its failed stage, or redo it from a stage (like `retry ID --from STAGE`)',
      params: storyIdParams,
      body: retryBodySchema,
      response: { 200: retriedSchema, ...errors(400, 401, 404, 408, 409, 414) },
    },
    handler: async (req) => {
      const { story, stage } = await retryStory(s, pipeline, req.params.story_id, req.body?.from, { budgetUsd: req.body?.budget_usd });
      return { story_id: story.id, status: story.status, stage };
    },
  });

  contactSheetRoute(app, s);
  repetitionRoute(app, s);
  await app.register(approvalRoutes(s, pipeline));

  app.get('/healthz', {
    schema: { summary: 'Whether the server can reach its database (no API key needed)', security: [], response: { 200: healthSchema, ...errors(503) } },
    handler: async () => {
      try {
        await s.db.query('select 1');
      } catch (err) {
        s.logger.warn('health check: database unreachable', { error: err instanceof Error ? err.message : String(err) });
        throw new ApiError(503, 'unavailable', 'the database is unreachable');
      }
      return { status: 'ok' as const };
    },
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
