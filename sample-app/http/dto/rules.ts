import { type ValidationArguments, ValidationOptions, registerDecorator } from 'class-validator';
import { aggregateIdProblem, decodeCommitToken } from '../../../lib/index.js';

/** Longest name or title, in characters (code points, so an emoji counts once). */
export const MAX_TEXT_LENGTH = 200;
/** Most tokens one write may be ordered after; a bound so one request cannot make the sequencer chase thousands. */
export const MAX_AFTER_TOKENS = 20;

/**
 * One rule per field, each a function from the value to its problem (`undefined` when valid). One rule rather
 * than a chain of decorators keeps each 400's message exactly what the field's first failed check says.
 */
type Rule = (value: unknown, field: string) => string | undefined;

function rule(name: string, check: Rule): (options?: ValidationOptions) => PropertyDecorator {
  return (options) => (target, propertyName) =>
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: propertyName as string,
      ...(options ? { options } : {}),
      validator: {
        validate: (value: unknown, args: ValidationArguments) => check(value, args.property) === undefined,
        defaultMessage: (args: ValidationArguments) => check(args.value, args.property) ?? '',
      },
    });
}

/** A required, non-blank string of at most MAX_TEXT_LENGTH characters (checked after trimming, see `Trim`). */
export const IsText = rule('isText', (value, field) => {
  if (typeof value !== 'string') return `"${field}" must be a string`;
  if (value.length === 0) return `"${field}" must not be empty`;
  if ([...value].length > MAX_TEXT_LENGTH) return `"${field}" must be at most ${MAX_TEXT_LENGTH} characters`;
  return undefined;
});

/**
 * A required id, checked with the event store's own id rule (non-empty, at most 1,024 UTF-8 bytes,
 * well-formed Unicode, no control characters), so the 400 says what is wrong before any command runs.
 */
export const IsStoreId = rule('isStoreId', (value, field) => {
  if (typeof value !== 'string' || value.length === 0) return `"${field}" must be a non-empty string`;
  const problem = aggregateIdProblem(value);
  return problem === undefined ? undefined : `"${field}" is not a valid id: ${problem}`;
});

/** Absent, or an integer within [min, max] (even `null` is checked). */
export function IsOptionalIntegerIn(min: number, max: number): PropertyDecorator {
  return rule('isOptionalIntegerIn', (value, field) =>
    value === undefined || (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max)
      ? undefined
      : `"${field}" must be an integer from ${min} to ${max}`,
  )();
}

/**
 * Absent, or one commit token or a list of at most MAX_AFTER_TOKENS (the `token`s of earlier writes): a
 * malformed token is a 400 before anything runs, rather than an error halfway through a command.
 */
export const IsOptionalTokens = rule('isOptionalTokens', (value, field) => {
  if (value === undefined) return undefined;
  const tokens = typeof value === 'string' ? [value] : value;
  return Array.isArray(tokens) && tokens.length <= MAX_AFTER_TOKENS && tokens.every(isCommitToken)
    ? undefined
    : `"${field}" must be a commit token or a list of at most ${MAX_AFTER_TOKENS} (the "token" of an earlier write)`;
});

export function isCommitToken(value: unknown): value is string {
  return typeof value === 'string' && decodeCommitToken(value) !== undefined;
}

/** The `after` of a write body as a list (`undefined`: none). */
export function tokenList(after: string | readonly string[] | undefined): string[] {
  return after === undefined ? [] : typeof after === 'string' ? [after] : [...after];
}
