import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { StoredProjectionStatus } from '../../lib/operations/projection-operations.js';

const CLI = join(process.cwd(), 'dist/lib/cli/main.js');

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the compiled CLI as an operator would, configured by the standard environment variables only. */
export function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const base = {
    PATH: process.env['PATH'],
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: process.env['TEST_DYNAMODB_ENDPOINT'],
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const merged = Object.fromEntries(Object.entries({ ...base, ...env }).filter(([, v]) => v !== undefined)) as Record<string, string>;
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: merged }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** `projections status balances --json`, as a script would read it. */
export async function balancesStatus(env: Record<string, string>): Promise<StoredProjectionStatus> {
  const run = await cli(['projections', 'status', 'balances', '--json'], env);
  expect(run).toMatchObject({ code: 0, stderr: '' });
  return (JSON.parse(run.stdout) as { projections: StoredProjectionStatus[] }).projections[0]!;
}
