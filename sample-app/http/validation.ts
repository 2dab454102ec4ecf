import { BadRequestException } from '@nestjs/common';
import { aggregateIdProblem, decodeCommitToken } from '../../lib/index.js';

/** Longest name or title, in characters (code points, so an emoji counts once). */
export const MAX_TEXT_LENGTH = 200;

/** The JSON body must be an object; arrays and primitives are rejected. */
export function requireObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BadRequestException('The request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

/** A required, non-blank string of at most MAX_TEXT_LENGTH characters, returned trimmed. */
export function requireText(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string') throw new BadRequestException(`"${field}" must be a string`);
  const text = value.trim();
  if (text.length === 0) throw new BadRequestException(`"${field}" must not be empty`);
  if ([...text].length > MAX_TEXT_LENGTH) {
    throw new BadRequestException(`"${field}" must be at most ${MAX_TEXT_LENGTH} characters`);
  }
  return text;
}

/**
 * A required id field, checked with the event store's own id rule (non-empty, at most 1,024 UTF-8 bytes,
 * well-formed Unicode, no control characters), so the 400 says what is wrong before any command runs.
 */
export function requireId(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value.length === 0) throw new BadRequestException(`"${field}" must be a non-empty string`);
  const problem = aggregateIdProblem(value);
  if (problem !== undefined) throw new BadRequestException(`"${field}" is not a valid id: ${problem}`);
  return value;
}

/** An id from the URL, checked with the same rule before it becomes part of a DynamoDB key. */
export function requirePathId(id: string): string {
  const problem = aggregateIdProblem(id);
  if (problem !== undefined) throw new BadRequestException(`The id in the path is not valid: ${problem}`);
  return id;
}

/** An optional integer within [min, max]; `undefined` gives the default, anything else (even null) is checked. */
export function optionalInteger(body: Record<string, unknown>, field: string, range: { min: number; max: number; default: number }): number {
  const value = body[field];
  if (value === undefined) return range.default;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < range.min || value > range.max) {
    throw new BadRequestException(`"${field}" must be an integer from ${range.min} to ${range.max}`);
  }
  return value;
}

/** Most tokens one write may be ordered after; a bound so one request cannot make the sequencer chase thousands. */
export const MAX_AFTER_TOKENS = 20;

/**
 * The optional `after` of a write body: one commit token or a list of them (from earlier `token`s). Checked
 * here so a malformed token is a 400 before anything runs, rather than an error halfway through a command.
 */
export function optionalTokens(body: Record<string, unknown>, field: string): string[] {
  const value = body[field];
  if (value === undefined) return [];
  const tokens = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(tokens) || tokens.length > MAX_AFTER_TOKENS || !tokens.every(isCommitToken)) {
    throw new BadRequestException(`"${field}" must be a commit token or a list of at most ${MAX_AFTER_TOKENS} (the "token" of an earlier write)`);
  }
  return tokens;
}

/** The optional `?after=TOKEN` of a read; repeated or malformed is a 400. */
export function optionalQueryToken(value: unknown, field = 'after'): string | undefined {
  if (value === undefined) return undefined;
  if (!isCommitToken(value)) throw new BadRequestException(`"${field}" must be one commit token (the "token" of an earlier write)`);
  return value;
}

function isCommitToken(value: unknown): value is string {
  return typeof value === 'string' && decodeCommitToken(value) !== undefined;
}
