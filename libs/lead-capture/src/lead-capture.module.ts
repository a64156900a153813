import { Inject, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type { AppConfig } from '#config';
import { FormStore } from './form.store.js';
import { SubmissionRateLimiter } from './rate-limiter.js';
import { APP_CONFIG, PG_POOL } from '#providers';
import type pg from 'pg';
import { ReadModelsModule } from '#read-model-engine';
import { CaptureLeadCommandHandler } from './capture-lead.command.js';
import { FormSubmissionsController } from './form-submissions.controller.js';
import { FormsController } from './forms.controller.js';
import { EMAIL_SECRET } from './lead-capture.tokens.js';

/**
 * Lead capture: forms (admin), their public submission route, and the de-duplication of leads by
 * e-mail address. Needs `configureHttpApp` for the submission route's body limit and CORS.
 */
@Module({
  imports: [CqrsModule, ReadModelsModule],
  controllers: [FormsController, FormSubmissionsController],
  providers: [
    { provide: FormStore, useFactory: (pool: pg.Pool) => new FormStore(pool), inject: [PG_POOL] },
    {
      provide: EMAIL_SECRET,
      useFactory: (config: AppConfig, forms: FormStore) => config.leadCapture.emailSecret ?? forms.generatedEmailSecret(),
      inject: [APP_CONFIG, FormStore],
    },
    {
      provide: SubmissionRateLimiter,
      useFactory: ({ redisUrl, leadCapture }: AppConfig) =>
        new SubmissionRateLimiter(redisUrl, { limit: leadCapture.rateLimit, windowSeconds: leadCapture.rateWindowSeconds }),
      inject: [APP_CONFIG],
    },
    CaptureLeadCommandHandler,
  ],
})
export class FormsModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(SubmissionRateLimiter) private readonly rateLimiter: SubmissionRateLimiter) {}

  onApplicationBootstrap(): Promise<void> {
    return this.rateLimiter.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.rateLimiter.close();
  }
}
