/** What every write command answers, and what the HTTP API returns with 201. */
export interface CommandAck {
  readonly id: string;
  readonly version: number;
}
