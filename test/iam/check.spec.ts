import { readFileSync } from 'node:fs';
import { describeViolations, undocumentedActions } from './check.js';
import { documentedGrants, parseIamTable } from './documented.js';
import { iamActionsOf } from './recorder.js';
import type { RecordedAction } from './recorder.js';

const grants = documentedGrants();
const recorded = (service: string, action: string, resource?: string): RecordedAction => ({
  service,
  operation: action.split(':')[1]!,
  action,
  count: 1,
  ...(resource === undefined ? {} : { resource }),
});
const flagged = (...entries: RecordedAction[]) => undocumentedActions(grants, entries).map((v) => v.recorded.action);

describe('least privilege check', () => {
  it('reads every row of the IAM table in docs/storage.md', () => {
    const rows = readFileSync('docs/storage.md', 'utf8').split('## IAM actions')[1]!.split('\n## ')[0]!.split('\n').filter((l) => l.startsWith('| `'));
    expect(grants).toHaveLength(rows.length);
    expect(grants.find((grant) => grant.resources.includes('stream'))?.actions).toContain('dynamodb:GetRecords');
  });

  it('fails on a row it cannot classify, rather than skipping it', () => {
    expect(() => parseIamTable('## IAM actions\n\n| action | resource | when |\n| --- | --- | --- |\n| `dynamodb:PutItem` | somewhere | always |\n')).toThrow(/cannot tell/);
  });

  it('holds library tables to their own rows', () => {
    expect(flagged(recorded('dynamodb', 'dynamodb:PutItem', 'p-changesets'), recorded('dynamodb', 'dynamodb:GetItem', 'x-control'))).toEqual([]);
    expect(flagged(recorded('dynamodb', 'dynamodb:DeleteItem', 'p-changesets'), recorded('dynamodb', 'dynamodb:BatchWriteItem', 'feed'))).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
    ]);
  });

  it('lets an application own and read its tables, and holds library writes to the read-model row', () => {
    expect(flagged(recorded('dynamodb', 'dynamodb:CreateTable', 'p-views'), recorded('dynamodb', 'dynamodb:UpdateItem', 'p-views'))).toEqual([]);
    expect(flagged(recorded('dynamodb', 'dynamodb:BatchWriteItem', 'p-views'))).toEqual(['dynamodb:BatchWriteItem']);
  });

  it('allows only ListTables without a table, streams only on changesets tables, S3 by bucket row; skips test-only resources', () => {
    expect(flagged(recorded('dynamodb', 'dynamodb:ListTables'), recorded('dynamodb', 'dynamodb:ListBackups'))).toEqual(['dynamodb:ListBackups']);
    expect(flagged(recorded('dynamodb-streams', 'dynamodb:GetRecords'), recorded('dynamodb-streams', 'dynamodb:DescribeStream', 'p-views'))).toEqual([
      'dynamodb:DescribeStream',
    ]);
    expect(flagged(recorded('s3', 's3:ListBucket', 'b'), recorded('s3', 's3:DeleteBucket', 'b'), recorded('s3', 's3:DeleteBucket', 'test-only-x'))).toEqual([
      's3:DeleteBucket',
    ]);
    expect(describeViolations(undocumentedActions(grants, [recorded('s3', 's3:DeleteBucket', 'b')]))).toContain('s3:DeleteBucket is not documented');
  });

  it('needs each transaction item its own action; S3 operations map to their IAM names', () => {
    const base = { method: 'POST', url: '/', headers: {} };
    const transact = { ...base, service: 'dynamodb', operation: 'TransactWriteItems', resources: ['c', 'f'], items: [{ action: 'UpdateItem', table: 'c' }, { action: 'PutItem', table: 'f' }] };
    expect(iamActionsOf(transact)).toEqual([{ action: 'dynamodb:UpdateItem', resource: 'c' }, { action: 'dynamodb:PutItem', resource: 'f' }]);
    expect(iamActionsOf({ ...base, service: 's3', operation: 'HeadBucket', resources: ['b'] })).toEqual([{ action: 's3:ListBucket', resource: 'b' }]);
  });
});
