/** What every write command answers, and what the HTTP API returns with 201. */
export interface CommandAck {
  readonly id: string;
  readonly version: number;
  /**
   * Names the commit: pass it as `?after=` to read a view that includes it, or as `after` in another write
   * to order that write after this one in the feed.
   */
  readonly token: string;
}
