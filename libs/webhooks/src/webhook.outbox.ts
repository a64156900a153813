import { Kysely, PostgresDialect, sql, type Selectable, type Transaction } from 'kysely';
import type pg from 'pg';
import { borrowedPool } from '#postgres';
import { laneLockKey, UNFINISHED_STATUSES } from './webhook.delivery.js';
import type { WebhookJob } from './webhook.jobs.js';
import { WEBHOOKS_QUEUED, type DisabledReason, type SubscriptionsTable, type WebhookTables } from './webhooks.migrations.js';

/**
 * What every writer of deliveries shares (the dispatcher, the worker's processor, the admin API),
 * and the locks that keep lanes in order between them. Locks are always taken in this order:
 * the subscriptions lock, a subscription's row, lanes (by key), deliveries' rows.
 *
 * - The subscriptions lock (transaction-level advisory): shared by each dispatcher batch, exclusive
 *   while a subscription is created, so a new subscription's `from_position` (the log's head, read
 *   under the lock) splits the log cleanly: a batch either ran before it, on older events, or
 *   sees the subscription.
 * - A subscription's row: `for share` by whoever adds or finishes its deliveries, updated by whoever
 *   disables it, so that no delivery is added or queued after its subscription's were cancelled.
 * - A lane's lock: see {@link laneLockKey}.
 */

// Advisory-lock namespaces ("whks", "whkl").
const SUBSCRIPTIONS_LOCK_SPACE = 0x77686b73;
const LANE_LOCK_SPACE = 0x77686b6c;

export type WebhookDb = Kysely<WebhookTables>;
export type SubscriptionRow = Selectable<SubscriptionsTable>;

/** The tables through `pool`, which stays the caller's. */
export function webhookDb(pool: pg.Pool): WebhookDb {
  return new Kysely<WebhookTables>({ dialect: new PostgresDialect({ pool: borrowedPool(pool) }) });
}

/** Within a dispatcher batch: no subscription is created until it commits. */
export async function shareSubscriptionsLock(trx: WebhookDb): Promise<void> {
  await sql`select pg_advisory_xact_lock_shared(${SUBSCRIPTIONS_LOCK_SPACE}, 0)`.execute(trx);
}

/** While a subscription is created: no dispatcher batch runs. */
export async function takeSubscriptionsLock(trx: Transaction<WebhookTables>): Promise<void> {
  await sql`select pg_advisory_xact_lock(${SUBSCRIPTIONS_LOCK_SPACE}, 0)`.execute(trx);
}

/** Locks the lanes until the transaction ends, in key order (so two writers never wait on each other in a circle). */
export async function lockLanes(trx: WebhookDb, lanes: readonly { subscriptionId: string; streamId: string }[]): Promise<void> {
  const keys = [...new Set(lanes.map((lane) => laneLockKey(lane.subscriptionId, lane.streamId)))].sort((a, b) => a - b);
  if (keys.length === 0) return;
  // unnest yields the keys in array order, and the locks are taken in that order.
  await sql`select pg_advisory_xact_lock(${LANE_LOCK_SPACE}, key) from unnest(${keys}::int[]) as key`.execute(trx);
}

/** Wakes the worker's pump once the transaction commits (NOTIFY is only delivered then). */
export async function notifyQueued(trx: WebhookDb): Promise<void> {
  await sql`select pg_notify(${WEBHOOKS_QUEUED}, '')`.execute(trx);
}

/**
 * Queues the lane's next pending delivery (the lowest revision) unless the lane already has a queued
 * one; returns its job, to be added after commit. The caller holds the lane's lock.
 */
export async function promoteLaneHead(trx: WebhookDb, subscriptionId: string, streamId: string): Promise<WebhookJob | null> {
  const lane = trx.selectFrom('webhooks.deliveries').where('subscription_id', '=', subscriptionId).where('stream_id', '=', streamId);
  const promoted = await trx
    .updateTable('webhooks.deliveries')
    .set((eb) => ({ status: 'queued', next_attempt_at: sql<Date>`now()`, enqueued_attempt: eb('attempts', '+', 1) }))
    .where('id', '=', (eb) =>
      eb.selectFrom(lane.select('id').where('status', '=', 'pending').orderBy('stream_revision').limit(1).as('head')).select('head.id'),
    )
    .where((eb) => eb.not(eb.exists(lane.select('id').where('status', '=', 'queued'))))
    .returning(['id', 'attempts'])
    .executeTakeFirst();
  return promoted === undefined ? null : { deliveryId: promoted.id, attempt: promoted.attempts + 1 };
}

/**
 * Disables the subscription (a no-op keeping the first reason and time when it is disabled already)
 * and cancels its unfinished deliveries; its history stays. Null when there is no such subscription.
 */
export async function disableSubscription(trx: WebhookDb, id: string, reason: DisabledReason): Promise<SubscriptionRow | null> {
  const disabled = await trx
    .updateTable('webhooks.subscriptions')
    .set({ status: 'disabled', disabled_reason: reason, disabled_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('status', '=', 'active')
    .returningAll()
    .executeTakeFirst();
  if (disabled === undefined) return (await trx.selectFrom('webhooks.subscriptions').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
  await trx
    .updateTable('webhooks.deliveries')
    .set({ status: 'cancelled', finished_at: sql<Date>`now()`, next_attempt_at: null })
    .where('subscription_id', '=', id)
    .where('status', 'in', UNFINISHED_STATUSES)
    .execute();
  return disabled;
}
