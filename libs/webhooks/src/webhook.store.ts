import { sql, type Selectable } from 'kysely';
import type pg from 'pg';
import { serializePosition, START, type EventStore } from '#event-store';
import { decodeCursor, encodeCursor, invalidCursor } from '#read-model-engine';
import { isUuid } from '#postgres';
import type { AttemptOutcome, DeliveryStatus } from './webhook.delivery.js';
import { disableSubscription, notifyQueued, takeSubscriptionsLock, webhookDb, type SubscriptionRow, type WebhookDb } from './webhook.outbox.js';
import type { SubscriptionDefinition } from './webhook.subscription.js';
import type { DeliveriesTable, DisabledReason } from './webhooks.migrations.js';

export interface SubscriptionRecord {
  readonly id: string;
  readonly url: string;
  readonly eventTypes: readonly string[];
  readonly description: string | null;
  readonly status: 'active' | 'disabled';
  readonly disabledReason: DisabledReason | null;
  readonly disabledAt: Date | null;
  /** The head of the log when it was created: only later events are delivered. */
  readonly fromPosition: string;
  readonly createdAt: Date;
}

export interface AttemptRecord {
  readonly attempt: number;
  readonly at: Date;
  readonly durationMs: number;
  readonly statusCode: number | null;
  readonly error: string | null;
  readonly outcome: AttemptOutcome;
}

export interface DeliveryRecord {
  readonly id: string;
  readonly subscriptionId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly streamId: string;
  readonly revision: number;
  readonly position: string;
  readonly status: DeliveryStatus;
  /** When the next attempt is due (queued), else null. */
  readonly nextAttemptAt: Date | null;
  readonly createdAt: Date;
  readonly finishedAt: Date | null;
  /** Of the latest attempt. */
  readonly lastStatusCode: number | null;
  readonly lastError: string | null;
  readonly attempts: readonly AttemptRecord[];
}

export interface DeliveryPage {
  readonly items: DeliveryRecord[];
  readonly nextCursor: string | null;
}

/** What a subscription has not delivered: for monitoring. */
export interface SubscriptionBacklog {
  readonly id: string;
  readonly status: 'active' | 'disabled';
  readonly pending: number;
  readonly queued: number;
  readonly dead: number;
  /** Age of its oldest pending or queued delivery; 0 when none. */
  readonly oldestUnfinishedSeconds: number;
}

/** A manual retry: queued again, or why not (null: no such delivery). */
export type RetryResult =
  | { readonly retried: DeliveryRecord }
  | { readonly refused: 'subscription_disabled' | 'not_dead'; readonly detail: string }
  | null;

/**
 * Webhook subscriptions and their deliveries in PostgreSQL (`webhooks.*`), as admins manage and
 * inspect them. An id that is not a UUID names nothing: null, like an unknown one.
 */
export class WebhookStore {
  private readonly db: WebhookDb;

  /** Uses the caller's pool, which it does not end, and reads the head of `log` for new subscriptions. */
  constructor(
    pool: pg.Pool,
    private readonly log: Pick<EventStore, 'headPosition'>,
  ) {
    this.db = webhookDb(pool);
  }

  /** Registers a subscription from the current head of the log on; the only answer that holds its secret. */
  async create(definition: SubscriptionDefinition): Promise<SubscriptionRecord & { readonly secret: string }> {
    const row = await this.db.transaction().execute(async (trx) => {
      // No dispatcher batch runs between reading the head and committing (see webhook.outbox.ts).
      await takeSubscriptionsLock(trx);
      const head = (await this.log.headPosition()) ?? START;
      return trx
        .insertInto('webhooks.subscriptions')
        .values({
          url: definition.url,
          event_types: [...definition.eventTypes],
          secret: definition.secret,
          description: definition.description,
          from_position: serializePosition(head),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    });
    return { ...toSubscription(row), secret: row.secret };
  }

  /** Every subscription, disabled ones included, oldest first. */
  async list(): Promise<SubscriptionRecord[]> {
    const rows = await this.db.selectFrom('webhooks.subscriptions').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map(toSubscription);
  }

  async get(id: string): Promise<SubscriptionRecord | null> {
    if (!isUuid(id)) return null;
    const row = await this.db.selectFrom('webhooks.subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toSubscription(row) : null;
  }

  /** Every subscription's undelivered deliveries (the partial indexes of unfinished and dead ones serve it), oldest subscription first. */
  async backlog(): Promise<SubscriptionBacklog[]> {
    const { rows } = await sql<SubscriptionBacklog>`
      select s.id, s.status,
             count(d.id) filter (where d.status = 'pending')::int as pending,
             count(d.id) filter (where d.status = 'queued')::int as queued,
             count(d.id) filter (where d.status = 'dead')::int as dead,
             coalesce(extract(epoch from now() - min(d.created_at) filter (where d.status in ('pending', 'queued'))), 0)::float8 as "oldestUnfinishedSeconds"
        from webhooks.subscriptions s
        left join webhooks.deliveries d on d.subscription_id = s.id and d.status in ('pending', 'queued', 'dead')
       group by s.id
       order by s.created_at, s.id`.execute(this.db);
    return rows;
  }

  /** Disables it (reason `admin`) and cancels its unfinished deliveries; again: a no-op. Null when there is no such subscription. */
  async disable(id: string): Promise<SubscriptionRecord | null> {
    if (!isUuid(id)) return null;
    const row = await this.db.transaction().execute((trx) => disableSubscription(trx, id, 'admin'));
    return row ? toSubscription(row) : null;
  }

  /** The subscription's deliveries, newest first (log order, reversed), each with its attempts; keyset pages (none of a malformed id). */
  async deliveries(subscriptionId: string, options: { status?: DeliveryStatus; limit: number; cursor?: string }): Promise<DeliveryPage | null> {
    if (!isUuid(subscriptionId)) return null;
    const before = options.cursor === undefined ? null : decodeCursor(options.cursor, readSeq);
    const rows = await this.db
      .selectFrom('webhooks.deliveries')
      .selectAll()
      .where('subscription_id', '=', subscriptionId)
      .$if(options.status !== undefined, (query) => query.where('status', '=', options.status as DeliveryStatus))
      .$if(before !== null, (query) => query.where('seq', '<', before as number))
      .orderBy('seq', 'desc')
      .limit(options.limit + 1)
      .execute();
    const page = rows.slice(0, options.limit);
    const last = page.at(-1);
    return { items: await this.withAttempts(page), nextCursor: rows.length > options.limit && last !== undefined ? encodeCursor([last.seq]) : null };
  }

  /** One delivery of the subscription; null for a delivery of another subscription too. */
  async delivery(subscriptionId: string, deliveryId: string): Promise<DeliveryRecord | null> {
    if (!isUuid(subscriptionId) || !isUuid(deliveryId)) return null;
    const row = await this.db.selectFrom('webhooks.deliveries').selectAll().where('id', '=', deliveryId).where('subscription_id', '=', subscriptionId).executeTakeFirst();
    return row ? (await this.withAttempts([row]))[0] : null;
  }

  /**
   * Queues a dead delivery of an active subscription again for a fresh round of attempts; the
   * worker's pump sends it (told by NOTIFY on commit). Null for an unknown delivery.
   */
  async retry(subscriptionId: string, deliveryId: string): Promise<RetryResult> {
    if (!isUuid(subscriptionId) || !isUuid(deliveryId)) return null;
    return this.db.transaction().execute(async (trx): Promise<RetryResult> => {
      const subscription = await trx.selectFrom('webhooks.subscriptions').select(['status', 'disabled_reason']).where('id', '=', subscriptionId).forShare().executeTakeFirst();
      const delivery = await trx
        .selectFrom('webhooks.deliveries')
        .select('status')
        .where('id', '=', deliveryId)
        .where('subscription_id', '=', subscriptionId)
        .forUpdate()
        .executeTakeFirst();
      if (subscription === undefined || delivery === undefined) return null;
      if (subscription.status !== 'active') {
        return { refused: 'subscription_disabled', detail: `the subscription is disabled (${subscription.disabled_reason}); its deliveries are not retried` };
      }
      if (delivery.status !== 'dead') return { refused: 'not_dead', detail: `the delivery is ${delivery.status}; only a dead delivery can be retried` };
      const retried = await trx
        .updateTable('webhooks.deliveries')
        .set((eb) => ({ status: 'queued', round_start: eb.ref('attempts'), enqueued_attempt: null, next_attempt_at: sql<Date>`now()`, finished_at: null }))
        .where('id', '=', deliveryId)
        .returningAll()
        .executeTakeFirstOrThrow();
      await notifyQueued(trx);
      return { retried: (await this.withAttempts([retried], trx))[0] };
    });
  }

  private async withAttempts(rows: readonly Selectable<DeliveriesTable>[], db: WebhookDb = this.db): Promise<DeliveryRecord[]> {
    if (rows.length === 0) return [];
    const attempts = await db
      .selectFrom('webhooks.delivery_attempts')
      .selectAll()
      .where('delivery_id', '=', sql<string>`any(${rows.map((row) => row.id)}::uuid[])`)
      .orderBy('delivery_id')
      .orderBy('attempt')
      .execute();
    return rows.map((row) => ({
      id: row.id,
      subscriptionId: row.subscription_id,
      eventId: row.event_id,
      eventType: row.event_type,
      streamId: row.stream_id,
      revision: row.stream_revision,
      position: row.position,
      status: row.status,
      nextAttemptAt: row.status === 'queued' ? row.next_attempt_at : null,
      createdAt: row.created_at,
      finishedAt: row.finished_at,
      lastStatusCode: row.last_status_code,
      lastError: row.last_error,
      attempts: attempts
        .filter((attempt) => attempt.delivery_id === row.id)
        .map((attempt) => ({
          attempt: attempt.attempt,
          at: attempt.started_at,
          durationMs: attempt.duration_ms,
          statusCode: attempt.status_code,
          error: attempt.error,
          outcome: attempt.outcome,
        })),
    }));
  }
}

function toSubscription(row: SubscriptionRow): SubscriptionRecord {
  return {
    id: row.id,
    url: row.url,
    eventTypes: row.event_types,
    description: row.description,
    status: row.status,
    disabledReason: row.disabled_reason,
    disabledAt: row.disabled_at,
    fromPosition: row.from_position,
    createdAt: row.created_at,
  };
}

function readSeq(json: unknown): number {
  if (!Array.isArray(json) || json.length !== 1 || !Number.isSafeInteger(json[0]) || (json[0] as number) < 1) throw invalidCursor('not a webhook deliveries cursor');
  return json[0] as number;
}
