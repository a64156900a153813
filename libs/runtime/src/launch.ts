import { Logger, Module, type DynamicModule, type INestApplication, type INestApplicationContext, type LogLevel, type OnApplicationBootstrap, type OnApplicationShutdown, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigError, LOG_LEVELS, loadConfig, redactPassword, type AppConfig } from '#config';
import { UnknownMasterKeyError, masterKeyringOf } from '#keys';
import type { AddressInfo } from 'node:net';
import { prepareDatabase } from './database.js';
import { RuntimeModule } from './runtime.module.js';

export interface LaunchPlan {
  /** The app modules to run in this process; they share one RuntimeModule. */
  readonly modules: readonly Type[];
  /** Serve HTTP on PORT (when the api is among the modules). */
  readonly http: boolean;
  /** With `http`: what must be set on the application object before it starts (body limits, OpenAPI). */
  readonly configure?: (app: INestApplication) => void;
}

/** Composes the app modules of one process with the runtime they share, and runs it until shutdown. */
@Module({})
class ProcessModule implements OnApplicationBootstrap, OnApplicationShutdown {
  static compose(config: AppConfig, modules: readonly Type[]): DynamicModule {
    return { module: ProcessModule, imports: [RuntimeModule.forRoot(config), ...modules] };
  }

  private keepAlive?: NodeJS.Timeout;

  // Without an HTTP server nothing may hold the event loop open (a projector with no projection
  // waits on nothing), and the process would end right after starting: this timer holds it.
  onApplicationBootstrap(): void {
    this.keepAlive = setInterval(() => undefined, 3_600_000);
  }

  onApplicationShutdown(): void {
    clearInterval(this.keepAlive);
  }
}

/**
 * Starts a process: reads the configuration (exits 1 with every problem listed when it is invalid),
 * prepares the database, then runs the planned app modules until SIGTERM or SIGINT, on which it
 * closes them gracefully. A failed start is logged and exits 1.
 */
export async function launch(
  name: string,
  plan: (config: AppConfig) => LaunchPlan,
  env: NodeJS.ProcessEnv = process.env,
): Promise<INestApplicationContext | undefined> {
  let config: AppConfig;
  try {
    config = loadConfig(env);
    // Key files are read (the development key made) now: a bad one is a configuration problem too.
    masterKeyringOf(config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`${name}: ${error.message}`);
    process.exitCode = 1;
    return undefined;
  }

  const logger = new Logger(name);
  const logLevels = logLevelsFrom(config.logLevel);
  Logger.overrideLogger(logLevels);
  const { modules, http, configure } = plan(config);
  let app: INestApplicationContext | undefined;
  try {
    const schemas = await prepareDatabase(config).catch((error: unknown) => {
      if (error instanceof UnknownMasterKeyError) throw new StartError(error.message);
      throw new StartError(`cannot prepare the database at DATABASE_URL=${redactPassword(config.databaseUrl)}: ${messageOf(error)}`);
    });
    logger.log(
      `database ready at ${redactPassword(config.databaseUrl)}` +
        (schemas.length > 0 ? `, migrated: ${schemas.join(', ')}` : '') +
        `; event store: ${config.eventStore.kind === 'postgres' ? 'PostgreSQL' : `EventStoreDB at ${redactPassword(config.eventStore.url)}`}`,
    );
    const root = ProcessModule.compose(config, modules);
    const options = { logger: logLevels, abortOnError: false };
    if (http) {
      const server = await NestFactory.create(root, { ...options, forceCloseConnections: true });
      app = server.enableShutdownHooks(['SIGTERM', 'SIGINT']);
      configure?.(server);
      await server.listen(config.port).catch((error: unknown) => {
        throw new StartError(`cannot listen on PORT=${config.port}: ${messageOf(error)}`);
      });
      const { port } = server.getHttpServer().address() as AddressInfo;
      logger.log(`listening on port ${port}`);
    } else {
      app = (await NestFactory.createApplicationContext(root, options)).enableShutdownHooks(['SIGTERM', 'SIGINT']);
    }
    logger.log(`started (${modules.map((module) => module.name).join(', ')}); stop with SIGTERM or Ctrl-C`);
    return app;
  } catch (error) {
    // An unreachable dependency needs its message, not a stack trace; anything else gets both.
    logger.error(`failed to start: ${messageOf(error)}`, error instanceof StartError || !(error instanceof Error) ? undefined : error.stack);
    await app?.close().catch(() => undefined);
    process.exitCode = 1;
    return undefined;
  }
}

/** A start that failed for a reason the message says in full. */
class StartError extends Error {}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}

/** Nest's levels from the least severe one wanted: `warn` logs fatal, error and warn. */
function logLevelsFrom(level: AppConfig['logLevel']): LogLevel[] {
  return LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1);
}
