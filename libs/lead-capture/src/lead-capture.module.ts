import { Inject, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown, type Type } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type pg from 'pg';
import type { AppConfig } from '#config';
import type { WrappedSecrets } from '#keys';
import { APP_CONFIG, PG_POOL, WRAPPED_SECRETS } from '#providers';
import { ReadModelsModule } from '#read-model-engine';
import { FormStore } from './form.store.js';
import { SubmissionRateLimiter } from './rate-limiter.js';
import { CaptureLeadCommandHandler } from './capture-lead.command.js';
import { FormSubmissionsController } from './form-submissions.controller.js';
import { FormsController } from './forms.controller.js';
import { KNOWN_CUSTOMERS, type KnownCustomers } from './known-customers.js';
import { EMAIL_SECRET } from './lead-capture.tokens.js';
import { generatedEmailSecret } from './email-secret.js';

/**
 * Lead capture: forms (admin), their public submission route, and the de-duplication of leads by
 * e-mail address. Needs `configureHttpApp` for the submission route's body limit and CORS, and
 * `register` with the customers already known by address (a read model the app chooses).
 */
@Module({
  imports: [CqrsModule, ReadModelsModule],
  controllers: [FormsController, FormSubmissionsController],
  providers: [
    { provide: FormStore, useFactory: (pool: pg.Pool) => new FormStore(pool), inject: [PG_POOL] },
    {
      provide: EMAIL_SECRET,
      useFactory: (config: AppConfig, forms: FormStore, secrets: WrappedSecrets) => config.leadCapture.emailSecret ?? generatedEmailSecret(secrets, forms),
      inject: [APP_CONFIG, FormStore, WRAPPED_SECRETS],
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
  static register(knownCustomers: Type<KnownCustomers>): DynamicModule {
    return { module: FormsModule, providers: [{ provide: KNOWN_CUSTOMERS, useClass: knownCustomers }] };
  }

  constructor(@Inject(SubmissionRateLimiter) private readonly rateLimiter: SubmissionRateLimiter) {}

  onApplicationBootstrap(): Promise<void> {
    return this.rateLimiter.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.rateLimiter.close();
  }
}
