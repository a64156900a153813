import { Kysely, PostgresDialect, sql, type ColumnType, type Generated, type Selectable } from 'kysely';
import type pg from 'pg';
import { borrowedPool, isUuid } from '#postgres';
import { FORM_KEY_PATTERN, generateFormKey, type FormDefinition, type FormRecord } from './form.js';
import { EMAIL_SECRET_NAME } from './lead-capture.migrations.js';

interface FormsTable {
  id: Generated<string>;
  name: string;
  public_key: string;
  fields: string[];
  required_fields: string[];
  honeypot_field: string;
  campaign_id: string | null;
  ad_id: string | null;
  affiliate_site_id: string | null;
  success_url: string | null;
  created_at: Generated<Date>;
  disabled_at: ColumnType<Date | null, never, Date>;
}

interface LeadCaptureTables {
  'lead_capture.forms': FormsTable;
  'lead_capture.secrets': { name: string; value: string; created_at: Generated<Date> };
}

/** Lead-capture forms in PostgreSQL (`lead_capture.forms`). */
export class FormStore {
  private readonly db: Kysely<LeadCaptureTables>;

  /** Uses the caller's pool, which it does not end. */
  constructor(pool: pg.Pool) {
    this.db = new Kysely<LeadCaptureTables>({ dialect: new PostgresDialect({ pool: borrowedPool(pool) }) });
  }

  async create(form: FormDefinition): Promise<FormRecord> {
    const row = await this.db
      .insertInto('lead_capture.forms')
      .values({
        name: form.name,
        public_key: generateFormKey(),
        fields: [...form.fields],
        required_fields: [...form.requiredFields],
        honeypot_field: form.honeypotField,
        campaign_id: form.campaignId,
        ad_id: form.adId,
        affiliate_site_id: form.affiliateSiteId,
        success_url: form.successUrl,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toRecord(row);
  }

  /** Every form, disabled ones included, oldest first. */
  async list(): Promise<FormRecord[]> {
    const rows = await this.db.selectFrom('lead_capture.forms').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map(toRecord);
  }

  async get(id: string): Promise<FormRecord | null> {
    if (!isUuid(id)) return null;
    const row = await this.db.selectFrom('lead_capture.forms').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  /** The form accepting submissions under `key`; `null` for an unknown or disabled one. */
  async findActiveByKey(key: string): Promise<FormRecord | null> {
    if (!FORM_KEY_PATTERN.test(key)) return null;
    const row = await this.db
      .selectFrom('lead_capture.forms')
      .selectAll()
      .where('public_key', '=', key)
      .where('disabled_at', 'is', null)
      .executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  /** Stops the form taking submissions (again: a no-op keeping the first time); `null` when there is no such form. */
  async disable(id: string): Promise<FormRecord | null> {
    if (!isUuid(id)) return null;
    const row = await this.db
      .updateTable('lead_capture.forms')
      .set({ disabled_at: sql<Date>`coalesce(disabled_at, now())` })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  /** The e-mail HMAC key the first migration generated in the clear, until it is moved to the wrapped secrets; else `null`. */
  async plaintextEmailSecret(): Promise<string | null> {
    const row = await this.db.selectFrom('lead_capture.secrets').select('value').where('name', '=', EMAIL_SECRET_NAME).executeTakeFirst();
    return row?.value ?? null;
  }

  async deletePlaintextEmailSecret(): Promise<void> {
    await this.db.deleteFrom('lead_capture.secrets').where('name', '=', EMAIL_SECRET_NAME).execute();
  }
}

function toRecord(row: Selectable<FormsTable>): FormRecord {
  return {
    id: row.id,
    key: row.public_key,
    name: row.name,
    fields: row.fields,
    requiredFields: row.required_fields,
    honeypotField: row.honeypot_field,
    campaignId: row.campaign_id,
    adId: row.ad_id,
    affiliateSiteId: row.affiliate_site_id,
    successUrl: row.success_url,
    createdAt: row.created_at,
    disabledAt: row.disabled_at,
  };
}
