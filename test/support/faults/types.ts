import type { IncomingHttpHeaders } from 'node:http';

/** One item of a DynamoDB transaction or batch, in request order. */
export interface RequestItem {
  /** The per-item action: `PutItem`, `UpdateItem`, `DeleteItem`, `ConditionCheckItem`, `GetItem`. */
  readonly action: string;
  readonly table: string;
}

/** What the proxy knows about one request before it decides what to do with it. */
export interface RequestInfo {
  /** `dynamodb`, `dynamodb-streams` or `s3` (or whatever a custom protocol names). */
  readonly service: string;
  /** The API operation: `PutItem`, `GetRecords`, `PutObject`… */
  readonly operation: string;
  /** Tables (DynamoDB, Streams: the stream's table when the request names it) or buckets (S3), in request order, distinct. */
  readonly resources: readonly string[];
  /** Transactions and batches: one entry per item, in request order. */
  readonly items?: readonly RequestItem[];
  /** S3: the object key, when the request names one. */
  readonly key?: string;
  readonly method: string;
  /** The request target as received: path and query. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

/** What a protocol answers on the wire for an injected error. */
export interface WireResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Errors the proxy answers itself, without forwarding. */
export type ErrorFault =
  /** DynamoDB: HTTP 400 `ThrottlingException` (default) or `ProvisionedThroughputExceededException`; S3: 503 `SlowDown`. */
  | { readonly kind: 'throttle'; readonly code?: string }
  /** Single DynamoDB ops: `TransactionConflictException`. Transactions: `TransactionCanceledException` whose reason at
   * `item` (default 0) is `TransactionConflict` and `None` elsewhere. S3: 409 `ConditionalRequestConflict`. */
  | { readonly kind: 'conflict'; readonly item?: number }
  /** A transaction cancelled with these reason codes, in request order (`None`, `ThrottlingError`, `ValidationError`…). */
  | { readonly kind: 'cancel'; readonly reasons: readonly string[] }
  /** HTTP 500: DynamoDB `InternalServerError`, S3 `InternalError`. */
  | { readonly kind: 'http500' };

export type Fault =
  | ErrorFault
  /** Wait `ms`, then forward. */
  | { readonly kind: 'delay'; readonly ms: number }
  /** Forward, let the target execute and answer, then destroy the client's connection: done, but the caller sees a network error. */
  | { readonly kind: 'drop-response' }
  /** Hold every matching request until the rule's `release()`; then forward them (a paused node whose requests arrive late). */
  | { readonly kind: 'pause' }
  /** Destroy the client's connection without forwarding: the caller sees a network error, nothing happened. */
  | { readonly kind: 'fail-before' };

export type FaultKind = Fault['kind'];

/** Which requests a rule faults. Every given criterion must hold. */
export interface FaultRule {
  /** The operation name, or a pattern over it. Default: any operation. */
  readonly operation?: string | RegExp;
  /** A table or bucket name, or a pattern; matches when any resource of the request matches. Default: any. */
  readonly table?: string | RegExp;
  /** Any other condition. Default: none. */
  readonly where?: (request: RequestInfo) => boolean;
  /** Start with the nth matching request (1-based); `times` then defaults to 1. Default: the first. */
  readonly nth?: number;
  /** Fault at most this many requests. Default: unlimited (1 with `nth`). */
  readonly times?: number;
  /** Fault each eligible request with this probability, drawn from the proxy's seeded generator. Default 1. */
  readonly rate?: number;
  readonly fault: Fault;
}

/** The wire format of one service: how to name a request, and how its errors look. */
export interface Protocol {
  /** Read the whole request body before `describe` (small JSON requests); `false` streams it through. */
  readonly readsBody: boolean;
  /** Whether this protocol handles the request (used to pick one when several are configured). */
  accepts(headers: IncomingHttpHeaders): boolean;
  describe(method: string, url: string, headers: IncomingHttpHeaders, body: Buffer | undefined): RequestInfo;
  errorResponse(fault: ErrorFault, request: RequestInfo): WireResponse;
}
