import { aggregateIdProblem, aggregateTypeProblem } from './key-text.js';
import type { Dependency } from './records.js';

/** Encodes a commit (stream and version) as an opaque, URL-safe token. */
export function encodeCommitToken(commit: Dependency): string {
  const json = JSON.stringify([commit.aggregateType, commit.aggregateId, commit.version]);
  return Buffer.from(json, 'utf8').toString('base64url');
}

/**
 * Decodes a token from `encodeCommitToken`; `undefined` when it is not one. A token is outside input, so the
 * stream it names must pass the same id rule as a save: otherwise a forged token would smuggle an id (control
 * characters, an over-long id) into a changeset's dependencies and from there into the feed.
 */
export function decodeCommitToken(token: string): Dependency | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 3) return undefined;
    const [aggregateType, aggregateId, version] = value as unknown[];
    if (typeof aggregateType !== 'string' || typeof aggregateId !== 'string') return undefined;
    if (aggregateTypeProblem(aggregateType) !== undefined || aggregateIdProblem(aggregateId) !== undefined) return undefined;
    if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) return undefined;
    return { aggregateType, aggregateId, version };
  } catch {
    return undefined;
  }
}
