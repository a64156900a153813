import { registerDecorator, type ValidationArguments } from 'class-validator';

interface Limits {
  readonly maxEntries: number;
  readonly maxKeyLength: number;
  readonly maxValueLength: number;
}

/** A flat object of string values (a web form's fields), within limits. */
export function IsStringRecord(limits: Limits): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isStringRecord',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate(value: unknown) {
          if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
          const entries = Object.entries(value);
          return (
            entries.length <= limits.maxEntries &&
            entries.every(([key, text]) => key.length > 0 && key.length <= limits.maxKeyLength && typeof text === 'string' && text.length <= limits.maxValueLength)
          );
        },
        defaultMessage: ({ property }: ValidationArguments) =>
          `${property} must be an object of at most ${limits.maxEntries} string values ` +
          `(names up to ${limits.maxKeyLength} characters, values up to ${limits.maxValueLength})`,
      },
    });
}
