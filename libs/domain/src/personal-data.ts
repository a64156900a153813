/**
 * The personal-data policy of one event type: every string field of its data is either personal
 * (encrypted under a data subject's key, unreadable once that person is erased) or stated not to
 * be. Paths are dot paths into nested objects (`contact.email`); `[]` after a key means every
 * element of that array (`tags[]`, `lines[].productSku`); a path may name an object, which then
 * counts as a whole (`fields`).
 */
export interface PersonalDataDeclaration {
  readonly personal: readonly string[];
  /** Ids, codes, enumerations, dates, currencies: what describes no one. */
  readonly notPersonal: readonly string[];
  /**
   * The field naming the customer whose key protects the personal fields, for events in another
   * stream than that customer's (a rep's task about them). Absent: the event's own stream's key.
   */
  readonly subjectCustomerId?: string;
  /**
   * A stream of the same person's that keeps their data under its own key, named by a field of
   * this event: erasing the customer erases that key too. `customer`: the field names the customer
   * this (claim) stream belongs to; `visitor`: it names an anonymous visitor this customer was.
   */
  readonly erasedWith?: { readonly field: string; readonly stream: 'customer' | 'visitor' };
}

/**
 * One declaration per event type of a context's event union, checked by the compiler: a string
 * field that is neither personal nor listed as not personal is a type error naming the field, so
 * a new field cannot slip through unclassified. `PersonalDataPolicy` checks the same at append.
 */
export function declarePersonalData<E extends { type: string; data: object }>() {
  return <const D extends { readonly [T in E['type']]: PersonalDataDeclaration }>(
    declarations: D & { readonly [T in E['type']]: Classified<Extract<E, { type: T }>['data'], D[T]> },
  ): D => declarations;
}

type Classified<Data, Declaration> = Declaration extends {
  readonly personal: readonly (infer P extends string)[];
  readonly notPersonal: readonly (infer N extends string)[];
}
  ? [Unclassified<StringPaths<Data, ''>, P | N>] extends [never]
    ? unknown
    : { readonly unclassified: Unclassified<StringPaths<Data, ''>, P | N> }
  : unknown;

/** The paths of every string leaf of `T`, in the policy's notation. */
type StringPaths<T, Prefix extends string> = T extends string
  ? Prefix
  : T extends readonly (infer Element)[]
    ? StringPaths<Element, `${Prefix}[]`>
    : T extends object
      ? string extends keyof T
        ? Prefix // a record of arbitrary keys is classified as a whole
        : { [K in keyof T & string]-?: StringPaths<Exclude<T[K], undefined | null>, Prefix extends '' ? K : `${Prefix}.${K}`> }[keyof T & string]
      : never;

type Unclassified<Path extends string, Listed extends string> = Path extends unknown
  ? true extends (Listed extends unknown ? (Path extends Listed | `${Listed}.${string}` | `${Listed}[]${string}` ? true : false) : never)
    ? never
    : Path
  : never;
