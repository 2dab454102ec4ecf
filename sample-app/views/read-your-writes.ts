import { Inject, Injectable } from '@nestjs/common';
import { ProjectionManager } from '../../lib/index.js';
import { DEFAULT_READ_TIMEOUT_MS, SAMPLE_APP_CONFIG, type SampleAppConfig } from '../config.js';

/**
 * `GET ...?after=TOKEN`: holds a read until the projection that owns the view has applied the commit the
 * token names, on whichever node runs it. Gives up with `ProjectionTimeoutError` (a 504) after the timeout.
 */
@Injectable()
export class ReadYourWrites {
  private readonly timeoutMs: number;

  constructor(
    private readonly projections: ProjectionManager,
    @Inject(SAMPLE_APP_CONFIG) config: SampleAppConfig,
  ) {
    this.timeoutMs = config.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
  }

  /** Resolves at once without a token: a plain read behaves as before (the view may trail the write). */
  async after(projection: string, token: string | undefined): Promise<void> {
    if (token !== undefined) await this.projections.waitFor(projection, token, this.timeoutMs);
  }
}
