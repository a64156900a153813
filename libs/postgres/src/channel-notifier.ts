import pg from 'pg';

/**
 * One LISTEN connection on a channel, shared by everyone waiting on it (the event store's
 * subscriptions; live views of a read model). `changes` counts notifications (those `accept` takes,
 * when given): a reader notes it before reading and waits for it to move, so a change that lands
 * between the read and the wait is never missed.
 */
export class ChannelNotifier {
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private waiters = new Set<() => void>();
  private closed = false;
  changes = 0;

  constructor(
    private readonly connectionString: string,
    private readonly channel: string,
    private readonly accept: (payload: string) => boolean = () => true,
  ) {}

  /** Resolves once the connection listens; subscriptions call it before their first read. */
  ready(): Promise<void> {
    if (this.client) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => (this.connecting = null));
    return this.connecting;
  }

  /** Resolves when a notification arrives after `seen`, when `timeoutMs` passes, or on abort. */
  waitForChange(seen: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.changes !== seen || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal?.addEventListener('abort', done, { once: true });
      this.waiters.add(done);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakeAll();
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString, application_name: `crm-listen-${this.channel}` });
    client.on('notification', (notification) => {
      if (!this.accept(notification.payload ?? '')) return;
      this.changes += 1;
      this.wakeAll();
    });
    client.on('error', () => this.dropConnection(client));
    client.on('end', () => this.dropConnection(client));
    await client.connect();
    await client.query(`listen ${pg.escapeIdentifier(this.channel)}`);
    if (this.closed) {
      await client.end();
      return;
    }
    this.client = client;
  }

  /** A lost connection may have missed notifications: wake everyone to re-read, reconnect on next ready(). */
  private dropConnection(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = null;
    this.changes += 1;
    this.wakeAll();
  }

  private wakeAll(): void {
    for (const wake of [...this.waiters]) wake();
  }
}
