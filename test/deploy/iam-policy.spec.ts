import { Projection } from '../../lib/projections/projection.decorator.js';
import { IAM_GRANTS, type IamResourceKind } from '../../lib/deploy/iam-grants.js';
import { iamPolicy } from '../../lib/deploy/iam-policy.js';
import { documentedGrants, type ResourceKind } from '../iam/documented.js';

/**
 * The docs' parser knows a bucket, not its objects (the object row's resource cell says `<bucket>/*`), and read-model
 * tables, not which of them projections declare (that row's cell says so in words).
 */
const documentedKind = (kind: IamResourceKind): ResourceKind =>
  kind === 'bucket-objects' ? 'bucket' : kind === 'declared-read-model' ? 'read-model' : kind;

function pairs(grants: ReadonlyArray<{ actions: readonly string[]; resources: readonly string[] }>): string[] {
  return [...new Set(grants.flatMap((g) => g.resources.flatMap((r) => g.actions.map((a) => `${a} on ${r}`))))].sort();
}

@Projection('iam-declared', { tables: [{ name: 'declared-views', key: { pk: 'S' } }] })
class DeclaringProjection {}

describe('the IAM policy and docs/storage.md', () => {
  const documented = documentedGrants();

  it('IAM_GRANTS states the documented table, row by row', () => {
    expect(IAM_GRANTS.map((g) => ({ actions: g.actions, resources: g.resources.map(documentedKind) }))).toEqual(
      documented.map((row) => ({ actions: row.actions, resources: row.resources })),
    );
  });

  it('with every feature on, the policy grants exactly the documented actions on each resource', () => {
    const policy = iamPolicy({ tablePrefix: 'p-', readModelTables: ['views'], projections: [DeclaringProjection], createTables: true, bucket: 'b', createBucket: true, operations: true, region: 'eu-west-1', account: '123456789012' });
    const kindOf = (arn: string): ResourceKind => {
      if (arn.startsWith('arn:aws:s3:::')) return 'bucket';
      if (arn.endsWith('/stream/*')) return 'stream';
      const table = arn.split(':table/')[1]!;
      return table === 'views' || table === 'p-declared-views' ? 'read-model' : (table.slice('p-'.length) as ResourceKind);
    };
    const granted = policy.Statement.map((s) => ({ actions: s.Action, resources: s.Resource.map(kindOf) }));
    expect(pairs(granted)).toEqual(pairs(documented));
    expect(policy.Statement.flatMap((s) => s.Resource)).toContain('arn:aws:dynamodb:eu-west-1:123456789012:table/p-changesets/stream/*');
    expect(policy.Statement.flatMap((s) => s.Resource)).toContain('arn:aws:s3:::b/*');
  });

  it('grants a declared read-model table what a read-model table needs, and CreateTable only on declared ones', () => {
    const declared = 'arn:aws:dynamodb:*:*:table/p-declared-views';
    const statementsOn = (policy: ReturnType<typeof iamPolicy>, arn: string) => policy.Statement.filter((s) => s.Resource.includes(arn));
    const withCreate = iamPolicy({ tablePrefix: 'p-', readModelTables: ['views'], projections: [DeclaringProjection], createTables: true });
    expect(statementsOn(withCreate, declared).flatMap((s) => s.Action).sort()).toEqual(
      ['dynamodb:ConditionCheckItem', 'dynamodb:CreateTable', 'dynamodb:DeleteItem', 'dynamodb:DescribeTable', 'dynamodb:PutItem', 'dynamodb:Scan', 'dynamodb:UpdateItem'],
    );
    expect(statementsOn(withCreate, 'arn:aws:dynamodb:*:*:table/views').flatMap((s) => s.Action)).not.toContain('dynamodb:CreateTable');
    const deployed = iamPolicy({ tablePrefix: 'p-', projections: [DeclaringProjection] });
    expect(statementsOn(deployed, declared).flatMap((s) => s.Action)).toContain('dynamodb:PutItem');
    expect(deployed.Statement.flatMap((s) => s.Action)).not.toContain('dynamodb:CreateTable');
  });

  it('leaves out what the options do not use', () => {
    const actions = (options: Parameters<typeof iamPolicy>[0]) => policyPairs(iamPolicy(options));
    const policyPairs = (p: ReturnType<typeof iamPolicy>) => p.Statement.flatMap((s) => s.Action.map((a) => `${s.Sid} ${a}`));
    const minimal = actions({ feed: false });
    expect(minimal).toEqual(['EventStoreChangesets dynamodb:BatchGetItem', 'EventStoreChangesets dynamodb:DescribeTable', 'EventStoreChangesets dynamodb:GetItem', 'EventStoreChangesets dynamodb:PutItem', 'EventStoreChangesets dynamodb:Query', 'EventStoreAggregates dynamodb:BatchGetItem', 'EventStoreAggregates dynamodb:DescribeTable', 'EventStoreAggregates dynamodb:GetItem', 'EventStoreAggregates dynamodb:UpdateItem']);
    const defaults = actions({});
    expect(defaults).toContain('EventStoreStream dynamodb:GetRecords');
    expect(defaults).toContain('EventStoreControl dynamodb:ConditionCheckItem');
    expect(defaults.some((a) => a.includes('CreateTable') || a.includes('s3:') || a.startsWith('EventStoreReadModel'))).toBe(false);
    expect(actions({ rebuild: false })).not.toContain('EventStoreControl dynamodb:ConditionCheckItem');
  });
});
