/**
 * How a context reads an old version of one of its events: from `fromVersion` to the next. The
 * event store applies these on read (its own port type has this shape); events are never rewritten.
 */
export interface Upcaster {
  readonly type: string;
  readonly fromVersion: number;
  upcast(data: UpcastData): UpcastData;
}

/** An event's JSON data as upcasters see it (decrypted; `{ $erased: true }` where a personal value was). */
export type UpcastData = { [key: string]: UpcastValue };
type UpcastValue = string | number | boolean | null | UpcastValue[] | UpcastData;
