import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { PROBLEM_CONTENT_TYPE } from '#http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { problemFor } from './problems.js';

/** The global exception filter (APP_FILTER): every error leaves as `application/problem+json`. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const { httpAdapter } = this.adapterHost;
    const request = host.switchToHttp().getRequest<IncomingMessage>();
    const response = host.switchToHttp().getResponse<ServerResponse>();
    // The path identifies what the request was about; the query string is left out.
    const instance = String(httpAdapter.getRequestUrl(request)).split('?')[0];
    const { problem, headers, unexpected } = problemFor(exception, instance);
    if (unexpected) {
      const error = exception instanceof Error ? exception : new Error(String(exception));
      this.logger.error(`${request.method} ${instance} failed: ${error.message}`, error.stack);
    } else if (problem.status === 503) {
      this.logger.warn(`${request.method} ${instance}: ${exception instanceof Error ? exception.message : String(exception)}`);
    }
    if (httpAdapter.isHeadersSent(response)) {
      // Too late for an error body (a stream failed midway): cut the response short.
      response.destroy();
      return;
    }
    for (const [name, value] of Object.entries(headers)) httpAdapter.setHeader(response, name, value);
    httpAdapter.setHeader(response, 'Content-Type', PROBLEM_CONTENT_TYPE);
    httpAdapter.reply(response, problem, problem.status);
  }
}
