/** How one context names its streams, `<prefix><id>`, and reads the id back out of a stream name. */
export interface StreamNames {
  /** The stream of `id`; throws for an empty id. */
  streamOf(id: string): string;
  /** The id of one of these streams, or `undefined` for any other stream. */
  idOf(streamId: string): string | undefined;
}

export function streamNames(prefix: string, entity: string): StreamNames {
  return {
    streamOf(id) {
      if (id === '') throw new TypeError(`a ${entity} id must not be empty`);
      return prefix + id;
    },
    idOf(streamId) {
      return streamId.startsWith(prefix) && streamId.length > prefix.length ? streamId.slice(prefix.length) : undefined;
    },
  };
}
