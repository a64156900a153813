/**
 * The server side of bench/api-commands.bench.ts, run as its child process (never on its own): the
 * real api (RuntimeModule + ApiModule, configured by configureHttpApp) plus one bench-only route,
 * POST /bench/customers/:id/calls, that takes the same body as POST /customers/:id/calls and does a
 * plain INSERT. Talks to the parent over IPC only (see ServerMessage / ParentMessage).
 */
import { Body, Controller, Inject, Module, Param, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import type pg from 'pg';
import { ApiKeyService, Roles } from '#auth';
import { Command, CurrentCommand, type CommandContext } from '#commands';
import { loadConfig } from '#config';
import { RuntimeModule, prepareDatabase } from '#runtime';
import { PG_POOL } from '#providers';
import { TEST_MASTER_KEY } from '#testing';
import { ApiModule } from '../apps/api/src/api.module.js';
import { LogCallDto } from '#customers';
import { configureHttpApp } from '../apps/api/src/http/configure-http-app.js';
import { ParseIdPipe } from '#http';

/** What the server tells the parent. */
export type ServerMessage =
  | { readonly kind: 'ready'; readonly port: number; readonly apiKey: string }
  | { readonly kind: 'cpu'; readonly userMicros: number; readonly systemMicros: number };

/** What the parent asks of the server. */
export type ParentMessage = { readonly kind: 'cpu' } | { readonly kind: 'stop' };

/**
 * The baseline: everything POST /customers/:id/calls has in front of its handler (global guard with
 * the same roles, the global validation pipe on the very same DTO, the id pipe, the @Command()
 * interceptor that gives a command id), then one INSERT instead of load stream / decide / append.
 */
@Roles('service', 'admin')
@Controller('bench/customers')
class BaselineCallsController {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  @Post(':id/calls')
  @Command()
  async logCall(@Param('id', ParseIdPipe) id: string, @Body() body: LogCallDto, @CurrentCommand() context: CommandContext) {
    const callId = body.callId ?? context.commandId;
    await this.pool.query(
      `insert into bench_calls (call_id, customer_id, direction, duration_seconds, outcome, rep_id, summary, occurred_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [callId, id, body.direction, body.durationSeconds, body.outcome, body.repId, body.summary ?? null, body.occurredAt ?? new Date().toISOString()],
    );
    // The same shape as the real route's answer (CommandResultDto), so responses are alike in size too.
    return { customerId: id, revision: 0, position: '0-0' };
  }
}

async function main(): Promise<void> {
  const databaseUrl = process.env.BENCH_DATABASE_URL;
  if (!databaseUrl) throw new Error('BENCH_DATABASE_URL is not set (this file is started by api-commands.bench.js)');
  const config = loadConfig({ LOG_LEVEL: 'error', CRM_MASTER_KEY: TEST_MASTER_KEY, DATABASE_URL: databaseUrl });
  await prepareDatabase(config);

  // A root module like launch()'s ProcessModule, plus the bench route (never part of ApiModule).
  @Module({ imports: [RuntimeModule.forRoot(config), ApiModule], controllers: [BaselineCallsController] })
  class BenchApiModule {}

  // Errors stay visible (a 500 is logged by the problem filter); the rest would only add noise.
  const app = await NestFactory.create(BenchApiModule, { logger: ['fatal', 'error'], abortOnError: false, forceCloseConnections: true });
  configureHttpApp(app);
  const pool = app.get<pg.Pool>(PG_POOL);
  // Bare: a primary key and nothing else.
  await pool.query(`create table bench_calls (
    call_id text primary key, customer_id text not null, direction text not null, duration_seconds integer not null,
    outcome text not null, rep_id text not null, summary text, occurred_at timestamptz not null)`);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const { key } = await app.get(ApiKeyService).create({ name: 'bench-service', role: 'service' });

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await app.close();
    process.disconnect?.();
  };
  process.on('message', (message: ParentMessage) => {
    switch (message.kind) {
      case 'cpu': {
        const usage = process.cpuUsage();
        send({ kind: 'cpu', userMicros: usage.user, systemMicros: usage.system });
        break;
      }
      case 'stop':
        void stop();
        break;
    }
  });
  // The parent died or hung up: do not outlive it.
  process.on('disconnect', () => void stop());
  send({ kind: 'ready', port, apiKey: key });
}

function send(message: ServerMessage): void {
  process.send?.(message);
}

if (!process.send) {
  console.error('api-commands.server.js is the child of api-commands.bench.js; run `npm run bench:commands`');
  process.exit(2);
}
await main().catch((error: unknown) => {
  console.error('bench server failed to start:', error);
  process.exit(1);
});
