import type { ServerResponse } from 'node:http';

/** A JSON answer the way the sample's Nest app sends one (type and length set), for the bench's bare servers. */
export function answer(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}
