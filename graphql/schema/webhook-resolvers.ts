import { requireReachable } from './reachable';
import { randomBytes } from 'node:crypto';
import {
  createWebhook,
  findWebhook,
  listDeadLetters,
  listWebhooks,
  moveWebhookCursor,
  removeWebhook,
  setWebhookSecret,
  updateWebhook,
  webhookLag,
  WEBHOOK_NOT_FOUND,
  type StoredWebhook,
} from '../../db/webhook-store';
import { isRejection } from '../../twins/errors';
import { parseWebhook } from '../../twins/webhooks';
import { stopWebhookDelivery, wakeWebhookDelivery } from '../../workflows/webhook/client';
import { apiError } from '../errors';
import { requireId } from './graph/input';
import type { ApiContext } from './resolvers';

export const WEBHOOK_CURSOR_INVALID = 'webhook:cursor.invalid';

type WebhookArgs = { tenantId: string; webhookId: string };
type WebhookInput = {
  tenantId: string;
  id: string;
  url?: string | null;
  enabled?: boolean | null;
  filter?: Record<string, unknown> | null;
  maxAttempts?: number | null;
};

/** A Standard Webhooks signing key: `whsec_` and 32 random bytes in base64. */
const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

/** Fields the client set (null = keep), nulls inside the filter dropped. */
function givenFields({ tenantId: _t, ...input }: WebhookInput) {
  const fields = Object.fromEntries(Object.entries(input).filter(([, v]) => v != null));
  if (input.filter)
    fields.filter = Object.fromEntries(Object.entries(input.filter).filter(([, v]) => v != null));
  return fields;
}

function parsed(ctx: ApiContext, candidate: Record<string, unknown>) {
  const webhook = parseWebhook(candidate);
  if (isRejection(webhook)) throw apiError(webhook.code, webhook.message);
  requireReachable(ctx, webhook.url);
  return webhook;
}

const notFound = (a: WebhookArgs) =>
  apiError(WEBHOOK_NOT_FOUND, `no webhook ${a.webhookId} in tenant ${a.tenantId}`);

function requireKey(a: WebhookArgs) {
  requireId('tenantId', a.tenantId);
  requireId('webhookId', a.webhookId);
}

/** Tells the delivery workflow that something changed (starting it if it does not run). */
const wake = (ctx: ApiContext, s: StoredWebhook) =>
  wakeWebhookDelivery(
    ctx.temporal,
    { tenantId: s.tenantId, webhookId: s.webhook.id },
    ctx.webhookTaskQueue ? { taskQueue: ctx.webhookTaskQueue } : {},
  );

/** Outbox ids are bigints: strings in the API, checked on the way in. */
function cursorArg(value: string, field: string): number {
  if (!/^\d{1,15}$/.test(value))
    throw apiError(WEBHOOK_CURSOR_INVALID, `${field} must be an outbox id (digits)`, { field });
  return Number(value);
}

/** The lag of one webhook, read once however many of its fields ask. */
const lagOf = new WeakMap<StoredWebhook, ReturnType<typeof webhookLag>>();
function lag(ctx: ApiContext, s: StoredWebhook) {
  let found = lagOf.get(s);
  if (!found) lagOf.set(s, (found = webhookLag(ctx.database, s.tenantId, s.cursor)));
  return found;
}

export const webhookResolvers = {
  Webhook: {
    id: (s: StoredWebhook) => s.webhook.id,
    url: (s: StoredWebhook) => s.webhook.url,
    enabled: (s: StoredWebhook) => s.webhook.enabled,
    filter: (s: StoredWebhook) => s.webhook.filter,
    maxAttempts: (s: StoredWebhook) => s.webhook.maxAttempts,
    deliveredCursor: (s: StoredWebhook) => String(s.cursor),
    latestCursor: async (s: StoredWebhook, _: unknown, ctx: ApiContext) =>
      String((await lag(ctx, s)).latest),
    lag: async (s: StoredWebhook, _: unknown, ctx: ApiContext) => (await lag(ctx, s)).lag,
    deadLetters: async (
      s: StoredWebhook,
      args: { first: number; after?: string | null },
      ctx: ApiContext,
    ) => {
      if (args.first < 1 || args.first > 500)
        throw apiError('api:input.invalid-page', 'first must be 1–500', { field: 'first' });
      const after = args.after ? cursorArg(args.after, 'after') : 0;
      const page = await listDeadLetters(ctx.database, s.tenantId, s.webhook.id, {
        first: args.first,
        after,
      });
      const nodes = page.items.map((d) => ({ ...d, cursor: String(d.outboxId) }));
      return {
        nodes,
        endCursor: page.hasNextPage ? (nodes.at(-1)?.cursor ?? null) : null,
        hasNextPage: page.hasNextPage,
      };
    },
  },
  Query: {
    webhooks: (_: unknown, args: { tenantId: string }, ctx: ApiContext) => {
      requireId('tenantId', args.tenantId);
      return listWebhooks(ctx.database, args.tenantId);
    },
    webhook: (_: unknown, args: WebhookArgs, ctx: ApiContext) => {
      requireKey(args);
      return findWebhook(ctx.database, args.tenantId, args.webhookId);
    },
  },
  Mutation: {
    registerWebhook: async (_: unknown, { input }: { input: WebhookInput }, ctx: ApiContext) => {
      requireKey({ tenantId: input.tenantId, webhookId: input.id });
      const secret = newSecret();
      const saved = await createWebhook(
        ctx.database,
        input.tenantId,
        parsed(ctx, givenFields(input)),
        secret,
      );
      if (isRejection(saved)) throw apiError(saved.code, saved.message);
      await wake(ctx, saved);
      return { webhook: saved, secret };
    },
    updateWebhook: async (_: unknown, { input }: { input: WebhookInput }, ctx: ApiContext) => {
      const key = { tenantId: input.tenantId, webhookId: input.id };
      requireKey(key);
      const stored = await findWebhook(ctx.database, input.tenantId, input.id);
      if (!stored) throw notFound(key);
      const candidate = parsed(ctx, { ...stored.webhook, ...givenFields(input) });
      const saved = await updateWebhook(ctx.database, input.tenantId, candidate);
      if (!saved) throw notFound(key);
      await wake(ctx, saved);
      return saved;
    },
    rotateWebhookSecret: async (_: unknown, args: WebhookArgs, ctx: ApiContext) => {
      requireKey(args);
      const secret = newSecret();
      const saved = await setWebhookSecret(ctx.database, args.tenantId, args.webhookId, secret);
      if (!saved) throw notFound(args);
      return { webhook: saved, secret };
    },
    removeWebhook: async (_: unknown, args: WebhookArgs, ctx: ApiContext) => {
      requireKey(args);
      const removed = await removeWebhook(ctx.database, args.tenantId, args.webhookId);
      // Stopped even when the row was gone already: a workflow left over is stopped too.
      await stopWebhookDelivery(ctx.temporal, args.tenantId, args.webhookId);
      return { removed };
    },
    replayWebhook: async (
      _: unknown,
      args: WebhookArgs & { fromCursor: string },
      ctx: ApiContext,
    ) => {
      requireKey(args);
      const from = cursorArg(args.fromCursor, 'fromCursor');
      if (from < 1)
        throw apiError(WEBHOOK_CURSOR_INVALID, 'fromCursor starts at 1', { field: 'fromCursor' });
      const saved = await moveWebhookCursor(ctx.database, args.tenantId, args.webhookId, from - 1);
      if (!saved) throw notFound(args);
      await wake(ctx, saved);
      return saved;
    },
  },
};
