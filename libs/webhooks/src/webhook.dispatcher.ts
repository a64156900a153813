import { sql } from 'kysely';
import { comparePositions, parsePosition, serializePosition, type RecordedEvent } from '#event-store';
import type { Projection } from '#read-model-engine';
import { inChunks } from '#postgres';
import { deliveryIdFor, UNFINISHED_STATUSES } from './webhook.delivery.js';
import { assignLanes, laneOf } from './webhook.lanes.js';
import { lockLanes, notifyQueued, shareSubscriptionsLock, type WebhookDb } from './webhook.outbox.js';
import { wantsEventType } from './webhook.subscription.js';
import type { WebhookTables } from './webhooks.migrations.js';

export const WEBHOOK_DISPATCHER = 'webhook-dispatcher';

/**
 * The log subscriber that turns events into deliveries: a projection to the engine (checkpointed in
 * the batch's transaction, one owner across processes), whose tables are the shared `webhooks.*`
 * outbox rather than tables of its own, so a rebuild keeps them. For each event after an active
 * subscription's `from_position` whose type it wants, one delivery row; ids derive from the
 * subscription and the event, and a row already stored is left alone, so replays and rebuilds add
 * nothing twice. It needs no Redis: while Redis is away deliveries keep being committed, and the
 * worker's pump gives them jobs when it returns.
 */
export function webhookDispatcher(): Projection<WebhookTables> {
  return {
    name: WEBHOOK_DISPATCHER,
    version: 1,
    migrations: {},
    apply: dispatch,
  };
}

async function dispatch(db: WebhookDb, events: readonly RecordedEvent[]): Promise<void> {
  await shareSubscriptionsLock(db);
  const subscriptions = await db
    .selectFrom('webhooks.subscriptions')
    .select(['id', 'event_types', 'from_position'])
    .where('status', '=', 'active')
    .forShare()
    .execute();
  const wanted = subscriptions.map((subscription) => ({ ...subscription, from: parsePosition(subscription.from_position) }));
  const candidates = events.flatMap((event) =>
    wanted
      .filter((subscription) => comparePositions(event.position, subscription.from) > 0 && wantsEventType(subscription.event_types, event.type))
      .map((subscription) => ({ id: deliveryIdFor(subscription.id, event.id), subscriptionId: subscription.id, streamId: event.streamId, streamRevision: event.revision, event })),
  );
  if (candidates.length === 0) return;

  // Under the lanes' locks, what is stored cannot change until this batch commits.
  await lockLanes(db, candidates);
  const stored = await db
    .selectFrom('webhooks.deliveries')
    .select('id')
    .where('id', '=', sql<string>`any(${candidates.map((candidate) => candidate.id)}::uuid[])`)
    .execute();
  const storedIds = new Set(stored.map((row) => row.id));
  const fresh = candidates.filter((candidate) => !storedIds.has(candidate.id));
  if (fresh.length === 0) return;
  const lanes = [...new Map(fresh.map((candidate) => [laneOf(candidate), candidate])).values()];
  const { rows: busy } = await sql<{ subscription_id: string; stream_id: string }>`
    select distinct d.subscription_id, d.stream_id
      from webhooks.deliveries d
      join unnest(${lanes.map((lane) => lane.subscriptionId)}::uuid[], ${lanes.map((lane) => lane.streamId)}::text[]) as lane (subscription_id, stream_id)
        on d.subscription_id = lane.subscription_id and d.stream_id = lane.stream_id
     where d.status in (${sql.join(UNFINISHED_STATUSES)})`.execute(db);
  const busyLanes = new Set(busy.map((row) => laneOf({ subscriptionId: row.subscription_id, streamId: row.stream_id })));

  const assigned = assignLanes(fresh, busyLanes);
  await inChunks(assigned, (chunk) =>
    db
      .insertInto('webhooks.deliveries')
      .values(
        chunk.map(({ id, subscriptionId, event, status }) => ({
          id,
          subscription_id: subscriptionId,
          event_id: event.id,
          event_type: event.type,
          stream_id: event.streamId,
          stream_revision: event.revision,
          position: serializePosition(event.position),
          status,
          next_attempt_at: status === 'queued' ? sql<Date>`now()` : null,
        })),
      )
      .onConflict((conflict) => conflict.column('id').doNothing())
      .execute(),
  );
  if (assigned.some((delivery) => delivery.status === 'queued')) await notifyQueued(db);
}
