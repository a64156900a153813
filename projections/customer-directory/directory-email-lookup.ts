import { Inject, Injectable } from '@nestjs/common';
import type { Kysely } from 'kysely';
import { activeSchema, READ_MODELS_DB, type ProjectionsTables } from '#read-model-engine';
import { CUSTOMER_DIRECTORY, type DirectoryTables } from './directory.projection.js';

/**
 * The directory as lead capture's KnownCustomers: the oldest customer listed with an address.
 * Eventually consistent (see CaptureLeadCommandHandler for the trade-off).
 */
@Injectable()
export class DirectoryEmailLookup {
  constructor(@Inject(READ_MODELS_DB) private readonly readModels: Kysely<ProjectionsTables>) {}

  /** `email` already normalised by the caller. */
  async oldestByEmail(email: string): Promise<string | undefined> {
    const schema = await activeSchema(this.readModels, CUSTOMER_DIRECTORY);
    if (schema === null) return undefined;
    const directory = this.readModels.withSchema(schema) as unknown as Kysely<DirectoryTables>;
    const row = await directory
      .selectFrom('customers')
      .select('customer_id')
      // ILIKE without wildcards: an exact, case-insensitive match the directory's trigram index serves.
      .where('email', 'ilike', email.replace(/[\\%_]/g, '\\$&'))
      .where('erased', '=', false)
      .orderBy('created_at')
      .orderBy('customer_id')
      .limit(1)
      .executeTakeFirst();
    return row?.customer_id;
  }
}
