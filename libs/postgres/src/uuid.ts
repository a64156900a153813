const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is a UUID: anything else, compared with a `uuid` column, is an error in PostgreSQL rather than no row. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
