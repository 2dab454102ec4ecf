import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { ErrorFault, Protocol, RequestInfo, WireResponse } from './types.js';

/** Bucket-level operations by method and sub-resource (the first query parameter without a value). */
const BUCKET_OPS: Record<string, string> = {
  HEAD: 'HeadBucket',
  PUT: 'CreateBucket',
  DELETE: 'DeleteBucket',
  GET: 'ListObjects',
  'POST delete': 'DeleteObjects',
  'GET location': 'GetBucketLocation',
  'GET uploads': 'ListMultipartUploads',
  'GET versions': 'ListObjectVersions',
};
const OBJECT_OPS: Record<string, string> = {
  PUT: 'PutObject',
  GET: 'GetObject',
  HEAD: 'HeadObject',
  DELETE: 'DeleteObject',
  'POST uploads': 'CreateMultipartUpload',
  'POST uploadId': 'CompleteMultipartUpload',
  'PUT uploadId': 'UploadPart',
  'GET uploadId': 'ListParts',
  'DELETE uploadId': 'AbortMultipartUpload',
};

function operationOf(method: string, query: URLSearchParams, hasKey: boolean, headers: IncomingHttpHeaders): string {
  // The SDK names most operations itself (`?x-id=PutObject`); the rest follow from method and sub-resource.
  const named = query.get('x-id');
  if (named) return named;
  if (!hasKey) {
    if (method === 'GET' && query.get('list-type') === '2') return 'ListObjectsV2';
    for (const sub of query.keys()) {
      const op = BUCKET_OPS[`${method} ${sub}`];
      if (op) return op;
    }
    return BUCKET_OPS[method] ?? `${method}Bucket`;
  }
  if (method === 'PUT' && headers['x-amz-copy-source']) return 'CopyObject';
  for (const sub of query.keys()) {
    const op = OBJECT_OPS[`${method} ${sub}`];
    if (op) return op;
  }
  return OBJECT_OPS[method] ?? `${method}Object`;
}

/** Path-style requests only (`forcePathStyle: true`): `/<bucket>/<key>?<query>`. */
function describe(method: string, url: string, headers: IncomingHttpHeaders): RequestInfo {
  const parsed = new URL(url, 'http://proxy');
  const [, bucket = '', ...rest] = parsed.pathname.split('/');
  const key = rest.length > 0 && rest.join('/') !== '' ? decodeURIComponent(rest.join('/')) : undefined;
  const base = { service: 's3', method, url, headers, resources: bucket ? [decodeURIComponent(bucket)] : [] };
  if (!bucket) return { ...base, operation: method === 'GET' ? 'ListBuckets' : `${method}Service` };
  return { ...base, operation: operationOf(method, parsed.searchParams, key !== undefined, headers), ...(key === undefined ? {} : { key }) };
}

function xmlError(status: number, code: string, message: string): WireResponse {
  const id = randomUUID();
  return {
    status,
    headers: { 'content-type': 'application/xml', 'x-amz-request-id': id },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>${id}</RequestId></Error>`,
  };
}

function errorResponse(fault: ErrorFault): WireResponse {
  switch (fault.kind) {
    case 'throttle':
      return xmlError(503, fault.code ?? 'SlowDown', 'injected: please reduce your request rate.');
    case 'http500':
      return xmlError(500, 'InternalError', 'injected: we encountered an internal error, please try again.');
    case 'conflict':
    case 'cancel':
      return xmlError(409, 'ConditionalRequestConflict', 'injected: a conflicting operation occurred, please try again.');
  }
}

/** S3 (REST-XML): the operation from method, path and query; the body is streamed through untouched. */
export const s3Protocol: Protocol = {
  readsBody: false,
  accepts: (headers) => headers['x-amz-target'] === undefined,
  describe: (method, url, headers) => describe(method, url, headers),
  errorResponse: (fault) => errorResponse(fault),
};
