import type { Logger } from '@nestjs/common';

/** The projection engine's log callbacks, onto a Nest logger (errors with their stack). */
export function engineLogs(logger: Logger): { log: (message: string) => void; logError: (message: string, error: unknown) => void } {
  return {
    log: (message) => logger.log(message),
    logError: (message, error) => logger.error(message, error instanceof Error ? error.stack : String(error)),
  };
}
