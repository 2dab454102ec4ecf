import { ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Response } from 'supertest';
import { tableNames } from '../../lib/adapters/dynamodb/index.js';

/** Percent-encodes a path segment byte by byte; a lone surrogate becomes its 3 WTF-8 bytes (encodeURIComponent throws). */
export function pathSegment(id: string): string {
  let out = '';
  for (const char of id) {
    const point = char.codePointAt(0)!;
    if (point >= 0xd800 && point <= 0xdfff) {
      out += [0xe0 | (point >> 12), 0x80 | ((point >> 6) & 0x3f), 0x80 | (point & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else {
      // '.' too, so that "." and ".." reach the route as ids instead of being taken for path steps.
      out += encodeURIComponent(char).replace(/\./g, '%2E');
    }
  }
  return out;
}

/** Every changeset item in the app's table (strongly consistent scan). */
export async function countChangesets(client: DynamoDBClient, prefix: string): Promise<number> {
  let count = 0;
  let start: Record<string, never> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: tableNames(prefix).changesets, Select: 'COUNT', ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }),
    );
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey as Record<string, never> | undefined;
  } while (start);
  return count;
}

/** The sample's error shape: `{ statusCode, message }` with a non-empty message, and the status it names. */
export function expectErrorShape(response: Response, status: number): void {
  expect({ status: response.status, body: response.body as unknown }).toEqual({
    status,
    body: { statusCode: status, message: expect.stringMatching(/\S/) },
  });
}
