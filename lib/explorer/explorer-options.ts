import type { CanActivate, Type } from '@nestjs/common';
import { InvalidEventStoreOptionsError } from '../errors/invalid-options.error.js';

export interface EventStoreExplorerOptions {
  /** Where the pages are served, e.g. `/explorer` (after any global prefix). Default `'/explorer'`. */
  readonly path?: string;
  /** The app's guard every explorer request must pass (read-only access). Required unless `localOnly`. */
  readonly guard?: Type<CanActivate>;
  /** A guard actions (retry, skip, rebuild) must pass as well, after `guard`. Without it, only `localOnly` allows actions. */
  readonly adminGuard?: Type<CanActivate>;
  /** Answer only requests from loopback addresses (403 otherwise); actions are then allowed too. Default `false`. */
  readonly localOnly?: boolean;
}

export const DEFAULT_EXPLORER_PATH = '/explorer';

/** Refuses a mount that would serve personal data to anyone: it needs a guard or local-only mode. */
export function validateExplorerOptions(options: EventStoreExplorerOptions): Required<Pick<EventStoreExplorerOptions, 'path' | 'localOnly'>> {
  if (!options.guard && options.localOnly !== true) {
    throw new InvalidEventStoreOptionsError('explorer.guard', 'the explorer shows event payloads: give it a guard, or localOnly: true to answer on loopback only');
  }
  const path = options.path ?? DEFAULT_EXPLORER_PATH;
  if (!/^\/[A-Za-z0-9._~\-/]*$/.test(path)) {
    throw new InvalidEventStoreOptionsError('explorer.path', `"${path}" is not a plain absolute URL path`);
  }
  return { path: path.replace(/\/+$/, '') || '/', localOnly: options.localOnly === true };
}
