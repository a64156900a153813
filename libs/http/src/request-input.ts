import { textBreaches } from '#domain';
import { validationProblem, type FieldError } from './problem.js';
/**
 * How deeply a body may nest objects and arrays. The deepest DTO is four levels; class-transformer
 * recurses once per level, so a body thousands of levels deep would exhaust the stack (a 500).
 */
export const MAX_INPUT_DEPTH = 32;

/**
 * Property names no DTO declares and that JavaScript gives a meaning to: refused like any unknown
 * field, rather than dropped silently by class-transformer (or worse, merged into a prototype).
 */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * What is wrong with a request's input (a body, a query or a route parameter) before any DTO sees
 * it: nesting beyond {@link MAX_INPUT_DEPTH}, a forbidden property name, or a string (property
 * names included) that breaks the product's text rule. `field` names the input (`q`) or, for a
 * whole body or query object, is empty and the paths start at its properties.
 */
export function inputErrors(value: unknown, field = ''): FieldError[] {
  const tooDeep = deeperThan(value, MAX_INPUT_DEPTH);
  if (tooDeep) return [{ field: field || 'body', message: `${field || 'the body'} must not nest objects or arrays more than ${MAX_INPUT_DEPTH} levels deep` }];
  return [...forbiddenKeys(value, field), ...textBreaches(value, field)];
}

/** Throws a 400 problem naming every field of {@link inputErrors}. */
export function checkInput(value: unknown, field = ''): void {
  const errors = inputErrors(value, field);
  if (errors.length > 0) throw validationProblem(errors);
}

/**
 * body-parser's `verify` hook for form-encoded bodies: its parser (qs) drops `__proto__` fields
 * silently before any check could see them, so the raw body is read for forbidden names first.
 */
export function refuseForbiddenFormFields(_request: unknown, _response: unknown, body: Buffer): void {
  const names = [...new URLSearchParams(body.toString('latin1')).keys()];
  const errors = names.filter((name) => FORBIDDEN_KEYS.has(name)).map((name) => ({ field: name, message: `property ${name} should not exist` }));
  if (errors.length > 0) throw validationProblem(errors);
}

function deeperThan(value: unknown, limit: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (limit === 0) return true;
  return Object.values(value).some((child) => deeperThan(child, limit - 1));
}

function forbiddenKeys(value: unknown, path: string): FieldError[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const childPath = path === '' ? key : `${path}.${key}`;
    const own = FORBIDDEN_KEYS.has(key) ? [{ field: childPath, message: `property ${key} should not exist` }] : [];
    return [...own, ...forbiddenKeys(child, childPath)];
  });
}
