import net from 'node:net';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { queuePrefix } from '#providers';

/**
 * A TCP relay to the real Redis on a port of its own, which an app is pointed at: closing it is
 * "Redis unreachable" (connections refused) for that app only, as other test files share Redis.
 */
export class RedisRelay {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Listens (again on the same port, once it has one). */
  async open(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(6379, '127.0.0.1');
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  get isOpen(): boolean {
    return this.server !== null;
  }

  /** Drops every connection and refuses new ones. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

/**
 * A test's own look at an app's queues, straight to Redis (not through the app's relay): one
 * connection, the queues under the app database's prefix, each emptied and closed at the end.
 */
export class QueuesView {
  private readonly redis = new Redis({ maxRetriesPerRequest: null });
  private readonly queues: Queue[] = [];

  queue<T>(name: string, databaseUrl: string): Queue<T> {
    const queue = new Queue<T>(name, { connection: this.redis, prefix: queuePrefix(databaseUrl) });
    this.queues.push(queue as Queue);
    return queue;
  }

  async close(): Promise<void> {
    for (const queue of this.queues) {
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
    }
    await this.redis.quit();
  }
}
