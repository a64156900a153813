import type { TestApi } from './api.js';

/**
 * The app's own OpenAPI document, read as the tests that walk every route need it: its operations,
 * their request body schemas (with `$ref`, `allOf` and `oneOf` resolved) and a plain example body
 * per schema. Shared by the hostile fuzz and the erasure scan, so both cover a route added later.
 */

export interface Schema {
  readonly $ref?: string;
  readonly type?: string;
  readonly format?: string;
  readonly pattern?: string;
  readonly enum?: readonly unknown[];
  readonly example?: unknown;
  readonly default?: unknown;
  readonly minimum?: number;
  readonly maxLength?: number;
  readonly items?: Schema;
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly additionalProperties?: Schema | boolean;
  readonly required?: readonly string[];
  readonly allOf?: readonly Schema[];
  readonly oneOf?: readonly Schema[];
}

export type HttpMethod = 'get' | 'post' | 'patch' | 'put' | 'delete';

export interface Operation {
  readonly method: HttpMethod;
  readonly path: string;
  readonly parameters?: readonly { name: string; in: string }[];
  readonly requestBody?: { content: Readonly<Record<string, { schema: Schema }>> };
  readonly security?: unknown;
}

export interface OpenApiDocument {
  readonly paths: Readonly<Record<string, Readonly<Record<string, Omit<Operation, 'method' | 'path'>>>>>;
  readonly components: { readonly schemas: Readonly<Record<string, Schema>> };
}

/** GET /openapi.json of the running app (public). */
export async function fetchOpenApi(api: TestApi): Promise<OpenApiDocument> {
  return (await api.http.get('/openapi.json').expect(200)).body as OpenApiDocument;
}

/** Every operation of the document, as `{method, path, ...}`. */
export function operationsOf(document: OpenApiDocument): Operation[] {
  return Object.entries(document.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ ...op, method, path }) as Operation));
}

/** `POST /customers/{id}/calls`: how a route is named in lists and messages. */
export const routeName = (op: Pick<Operation, 'method' | 'path'>): string => `${op.method.toUpperCase()} ${op.path}`;

/** The command routes: those that change something (POST, PATCH, PUT). */
export const isCommand = (op: Operation): boolean => op.method === 'post' || op.method === 'patch' || op.method === 'put';

/** The schema of a request body of `mediaType` (JSON by default), if the route takes one. */
export const bodySchemaOf = (op: Operation, mediaType = 'application/json'): Schema | undefined => op.requestBody?.content[mediaType]?.schema;

/** The schema `$ref` points at, followed until it is not a reference. */
export function resolveSchema(document: OpenApiDocument, schema: Schema): Schema {
  return schema.$ref ? resolveSchema(document, document.components.schemas[schema.$ref.split('/').pop() as string]) : schema;
}

/**
 * The schema as one object or leaf: references followed, `allOf` parts merged (their properties
 * and required lists), `oneOf` read as its first alternative.
 */
export function flattenSchema(document: OpenApiDocument, raw: Schema): Schema {
  const schema = resolveSchema(document, raw);
  if (schema.oneOf) return flattenSchema(document, schema.oneOf[0]);
  if (!schema.allOf) return schema;
  const parts = schema.allOf.map((part) => flattenSchema(document, part));
  const { allOf: _, ...rest } = schema;
  return {
    ...Object.assign({}, ...parts),
    ...rest,
    properties: Object.assign({}, ...parts.map((part) => part.properties ?? {}), rest.properties ?? {}),
    required: [...parts.flatMap((part) => part.required ?? []), ...(rest.required ?? [])],
  };
}

/** Whether the body schema holds a string anywhere (a property, an array's items, a map's values), at any depth. */
export function hasStringFields(document: OpenApiDocument, raw: Schema | undefined, depth = 0): boolean {
  if (raw === undefined || depth > 16) return false;
  const schema = flattenSchema(document, raw);
  if (schema.type === 'string') return true;
  if (schema.items && hasStringFields(document, schema.items, depth + 1)) return true;
  if (typeof schema.additionalProperties === 'object' && hasStringFields(document, schema.additionalProperties, depth + 1)) return true;
  return Object.values(schema.properties ?? {}).some((property) => hasStringFields(document, property, depth + 1));
}

/** A body the schema describes: its examples where it gives them, plain values otherwise. */
export function exampleOf(document: OpenApiDocument, raw: Schema, depth = 0): unknown {
  const schema = resolveSchema(document, raw);
  if (schema.allOf) return Object.assign({}, ...schema.allOf.map((part) => exampleOf(document, part, depth)));
  if (schema.oneOf) return exampleOf(document, schema.oneOf[0], depth);
  if (schema.example !== undefined) return schema.example;
  if (schema.default !== undefined) return schema.default;
  if (schema.enum) return schema.enum[0];
  if (schema.properties || schema.type === 'object') {
    if (depth > 4) return {};
    return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([key, property]) => [key, exampleOf(document, property, depth + 1)]));
  }
  switch (schema.type) {
    case 'array':
      return schema.items ? [exampleOf(document, schema.items, depth + 1)] : [];
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    default:
      return schema.format === 'date-time' ? '2026-11-20T14:30:00Z' : schema.format === 'date' ? '2026-11-20' : 'fuzz';
  }
}
