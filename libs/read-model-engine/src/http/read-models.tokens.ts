/** Kysely over the process's pool, for the projections' bookkeeping and read models. */
export const READ_MODELS_DB = Symbol('READ_MODELS_DB');
