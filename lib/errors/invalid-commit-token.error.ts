import { EventStoreError } from './event-store.error.js';

/** A string passed as a commit token was not one (tokens come from `CommitResult.token`). */
export class InvalidCommitTokenError extends EventStoreError {
  readonly code = 'INVALID_COMMIT_TOKEN' as const;

  constructor(readonly token: string) {
    super(`"${token.slice(0, 100)}" is not a commit token (use CommitResult.token).`);
  }
}
