import { writeFileSync } from 'node:fs';
import type { RequestInfo } from '../support/faults/index.js';

/** One IAM action as the request needs it: `dynamodb:PutItem` on table `p-changesets`. */
export interface RecordedAction {
  readonly action: string;
  /** The table (DynamoDB; for Streams the stream's table when the request names it) or bucket (S3). */
  readonly resource?: string;
  readonly service: string;
  /** The API operation that needed it (`TransactWriteItems` needs `dynamodb:PutItem` for each Put). */
  readonly operation: string;
  readonly count: number;
}

/** API operations whose IAM action has another name (S3's object and bucket permissions). */
const S3_ACTIONS: Record<string, readonly string[]> = {
  HeadBucket: ['ListBucket'],
  ListObjects: ['ListBucket'],
  ListObjectsV2: ['ListBucket'],
  HeadObject: ['GetObject'],
  DeleteObjects: ['DeleteObject'],
  CopyObject: ['GetObject', 'PutObject'],
  CreateMultipartUpload: ['PutObject'],
  UploadPart: ['PutObject'],
  CompleteMultipartUpload: ['PutObject'],
  ListParts: ['ListMultipartUploadParts'],
};

/** The IAM actions one request needs. Transactions have no action of their own: each item needs its own. */
export function iamActionsOf(request: RequestInfo): { action: string; resource?: string }[] {
  if (request.service === 's3') {
    return (S3_ACTIONS[request.operation] ?? [request.operation]).map((name) => ({ action: `s3:${name}`, resource: request.resources[0] }));
  }
  if (request.operation === 'TransactWriteItems' || request.operation === 'TransactGetItems') {
    return (request.items ?? []).map((item) => ({ action: `dynamodb:${item.action}`, resource: item.table }));
  }
  const action = `dynamodb:${request.operation}`;
  return request.resources.length === 0 ? [{ action }] : request.resources.map((resource) => ({ action, resource }));
}

/** Counts distinct (service, operation, action, resource); cheap enough to run on every request of the suite. */
export class ActionRecorder {
  private readonly seen = new Map<string, { entry: Omit<RecordedAction, 'count'>; count: number }>();
  private requestCount = 0;

  record = (request: RequestInfo): void => {
    this.requestCount++;
    for (const { action, resource } of iamActionsOf(request)) {
      const key = `${request.service}|${request.operation}|${action}|${resource ?? ''}`;
      const known = this.seen.get(key);
      if (known) known.count++;
      else this.seen.set(key, { entry: { service: request.service, operation: request.operation, action, ...(resource === undefined ? {} : { resource }) }, count: 1 });
    }
  };

  actions(): RecordedAction[] {
    return [...this.seen.values()].map(({ entry, count }) => ({ ...entry, count }));
  }

  /** Requests recorded. */
  requests(): number {
    return this.requestCount;
  }

  writeTo(path: string): void {
    writeFileSync(path, `${JSON.stringify(this.actions(), null, 1)}\n`);
  }
}
