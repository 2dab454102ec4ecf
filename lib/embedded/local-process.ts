import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { DynamoDBClient, type DynamoDBClientConfig, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { EmbeddedDynamoDbUnavailableError } from '../errors/embedded-dynamodb-unavailable.error.js';

/** A TCP port that was free on 127.0.0.1 a moment ago (for a local service to listen on). */
export function freePort(): Promise<number> {
  return listenOnce(0);
}

/**
 * Fails with `port-in-use` when something listens on `port`. Checked before DynamoDB Local starts: otherwise
 * whatever already answers there (another DynamoDB Local, say) would pass for the new one until it exited.
 */
export async function assertPortFree(port: number): Promise<void> {
  try {
    await listenOnce(port);
  } catch (error) {
    throw new EmbeddedDynamoDbUnavailableError('port-in-use', `port ${port} is already in use`, error);
  }
}

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}

/**
 * Resolves once the DynamoDB Local run by `child` answers at `config.endpoint`; fails when it exits or `timeoutMs`
 * passes. `output()` is what the process wrote so far, quoted in the error.
 */
export async function waitUntilDynamoDbAnswers(config: DynamoDBClientConfig, child: ChildProcess, timeoutMs: number, output: () => string = () => ''): Promise<void> {
  const client = new DynamoDBClient({ ...config, maxAttempts: 1 });
  const deadline = Date.now() + timeoutMs;
  const said = () => (output() ? `; it wrote:\n${output()}` : '');
  try {
    for (;;) {
      if (child.exitCode !== null) throw new EmbeddedDynamoDbUnavailableError('did-not-start', `DynamoDB Local exited with code ${child.exitCode} before it answered${said()}`);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        if (Date.now() > deadline) {
          throw new EmbeddedDynamoDbUnavailableError('did-not-start', `DynamoDB Local did not answer at ${String(config.endpoint)} within ${timeoutMs} ms${said()}`, error);
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  } finally {
    client.destroy();
  }
}
