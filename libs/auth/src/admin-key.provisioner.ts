import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { AppConfig } from '#config';
import { APP_CONFIG } from '#providers';
import { ApiKeyService } from './api-key.service.js';

/** The name CRM_ADMIN_API_KEY is stored under: the key list shows where it came from. */
export const ADMIN_API_KEY_NAME = 'CRM_ADMIN_API_KEY';

/** Provisions CRM_ADMIN_API_KEY (when set) as an admin key before the api serves requests. */
@Injectable()
export class AdminKeyProvisioner implements OnModuleInit {
  private readonly logger = new Logger('ApiKeys');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly apiKeys: ApiKeyService,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.config.adminApiKey === null) return;
    const outcome = await this.apiKeys.provision(this.config.adminApiKey, ADMIN_API_KEY_NAME);
    if (outcome === 'revoked') {
      this.logger.warn(`${ADMIN_API_KEY_NAME} names a revoked key, which stays revoked: set a new key`);
    } else {
      this.logger.log(`${ADMIN_API_KEY_NAME}: admin key ${outcome}`);
    }
  }
}
