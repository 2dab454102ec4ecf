/**
 * Least privilege: every AWS action the test suite made, checked against the "IAM actions" table of
 * docs/storage.md (parsed from the file itself, so the docs and this check cannot drift).
 *
 * The recording proxy cannot tell the library's requests from the tests' own: they share clients. So the rule
 * classifies by resource, and is strict wherever the library acts:
 * - A library table (a name ending in `changesets`, `aggregates`, `feed` or `control`): every action must be
 *   documented for that table (its own rows, or "all four tables"). The tests' own reads of these tables are
 *   held to the same list, which is only ever stricter.
 * - A DynamoDB Streams action: must be in the stream row, and a stream it names must be a changesets table's.
 * - Any other table is a read-model or application table (the sample app's views, the tests' view tables): an
 *   action must be in the read-model row, or be one the application itself needs to own and read its table
 *   (`APP_TABLE_ACTIONS`: create, describe, get, query, scan), which the library is not granted by the docs.
 * - A DynamoDB action that names no table: only `ListTables`, which the start-up probe and tests use; the
 *   library never makes a table-less call.
 * - S3: every request's IAM action (`HeadBucket` needs `s3:ListBucket`) must be in a bucket row.
 * - Tables and buckets named `test-only-*` belong to tests of the test harness (the fault proxy's own tests,
 *   which exercise operations the library does not make) and are not checked.
 * Transactions have no IAM action of their own: each item needs its own action (`Put` → `dynamodb:PutItem`).
 */
import { type DocumentedGrant, LIBRARY_TABLES, type ResourceKind } from './documented.js';
import type { RecordedAction } from './recorder.js';

export const APP_TABLE_ACTIONS = ['dynamodb:CreateTable', 'dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan'];
export const TABLELESS_TEST_ACTIONS = ['dynamodb:ListTables'];
export const TEST_ONLY_PREFIX = 'test-only-';

export interface Violation {
  readonly recorded: RecordedAction;
  readonly reason: string;
}

function libraryTable(name: string): ResourceKind | undefined {
  return LIBRARY_TABLES.find((suffix) => name.endsWith(suffix));
}

function granted(grants: readonly DocumentedGrant[], action: string, kind: ResourceKind): boolean {
  return grants.some((grant) => grant.actions.includes(action) && grant.resources.includes(kind));
}

function problem(grants: readonly DocumentedGrant[], recorded: RecordedAction): string | undefined {
  const { action, resource, service } = recorded;
  if (resource?.startsWith(TEST_ONLY_PREFIX)) return undefined;
  if (service === 's3') return granted(grants, action, 'bucket') ? undefined : `${action} is not documented for the bucket`;
  if (service === 'dynamodb-streams') {
    if (!granted(grants, action, 'stream')) return `${action} is not documented for the changesets table's stream`;
    if (resource !== undefined && libraryTable(resource) !== 'changesets') return `${action} on the stream of ${resource}, not of a changesets table`;
    return undefined;
  }
  if (resource === undefined) return TABLELESS_TEST_ACTIONS.includes(action) ? undefined : `${action} names no table and is not a test's own call`;
  const kind = libraryTable(resource);
  if (kind) return granted(grants, action, kind) ? undefined : `${action} is not documented for <prefix>${kind}`;
  if (granted(grants, action, 'read-model') || APP_TABLE_ACTIONS.includes(action)) return undefined;
  return `${action} on ${resource} (a read-model or application table) is not documented`;
}

/** The recorded actions the docs do not grant, with why. */
export function undocumentedActions(grants: readonly DocumentedGrant[], recorded: readonly RecordedAction[]): Violation[] {
  return recorded.flatMap((entry) => {
    const reason = problem(grants, entry);
    return reason ? [{ recorded: entry, reason }] : [];
  });
}

export function describeViolations(violations: readonly Violation[]): string {
  const lines = violations.map(
    ({ recorded: r, reason }) => `  - ${reason} (${r.operation}${r.resource ? ` on ${r.resource}` : ''}, ${r.count}×)`,
  );
  return [
    `Least privilege: ${violations.length} action(s) the suite made are not in docs/storage.md's "IAM actions" table:`,
    ...lines,
    'Document the action (if the library needs it) or stop making the call.',
  ].join('\n');
}
