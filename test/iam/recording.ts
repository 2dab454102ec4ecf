import { join } from 'node:path';
import { type FaultProxy, startFaultProxy } from '../support/faults/index.js';
import { describeViolations, undocumentedActions } from './check.js';
import { documentedGrants } from './documented.js';
import { ActionRecorder } from './recorder.js';

/** Where the recorded actions are written after the run (distinct actions with counts), for a reader. */
export const ACTIONS_LOG = process.env['TEST_IAM_ACTIONS_LOG'] ?? join(process.cwd(), 'dist', 'iam-actions.json');

export interface Recording {
  readonly dynamodbEndpoint: string;
  readonly s3Endpoint: string;
  /** Stops the proxies, writes the log, and throws when an action is not in docs/storage.md. */
  finish(): Promise<void>;
}

/**
 * Starts a recording proxy (a fault proxy without rules) in front of each local service. The suite and the
 * processes it spawns reach DynamoDB Local and the S3 server only through them.
 */
export async function startRecording(targets: { readonly dynamodbEndpoint: string; readonly s3Endpoint: string }): Promise<Recording> {
  const recorder = new ActionRecorder();
  const proxies: FaultProxy[] = [];
  try {
    proxies.push(await startFaultProxy({ target: targets.dynamodbEndpoint, onRequest: recorder.record }));
    proxies.push(await startFaultProxy({ target: targets.s3Endpoint, onRequest: recorder.record }));
  } catch (error) {
    await Promise.all(proxies.map((proxy) => proxy.stop()));
    throw error;
  }
  const [dynamodb, s3] = proxies as [FaultProxy, FaultProxy];
  return {
    dynamodbEndpoint: dynamodb.endpoint,
    s3Endpoint: s3.endpoint,
    async finish() {
      await Promise.all(proxies.map((proxy) => proxy.stop()));
      recorder.writeTo(ACTIONS_LOG);
      const violations = undocumentedActions(documentedGrants(), recorder.actions());
      if (violations.length > 0) throw new Error(describeViolations(violations));
    },
  };
}
