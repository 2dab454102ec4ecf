import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Header an action's request carries its token in (or the form field `_csrf`). */
export const CSRF_HEADER = 'x-explorer-csrf';
export const CSRF_FIELD = '_csrf';

/**
 * Tokens for the explorer's actions. The secret lives only in this process, so a token is valid until it
 * restarts; a page from another site cannot read ours (same-origin policy), so it cannot forge a POST with one.
 */
export class CsrfTokens {
  private readonly secret = randomBytes(32);
  readonly token = createHmac('sha256', this.secret).update('explorer-actions').digest('base64url');

  verify(candidate: unknown): boolean {
    if (typeof candidate !== 'string') return false;
    const given = Buffer.from(candidate);
    const expected = Buffer.from(this.token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
