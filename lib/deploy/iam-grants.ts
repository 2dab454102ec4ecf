/**
 * What the store needs from IAM, as data: docs/storage.md's "IAM actions" table and `iamPolicy()` both
 * state it, and a test holds the two equal (test/deploy), so the documented policy is the generated one.
 */

/**
 * What a grant applies to: one of the store's tables, the changesets stream, your read-model tables (`declared-read-model`:
 * only those projections declare, which the store creates), or the bucket.
 */
export type IamResourceKind = 'changesets' | 'aggregates' | 'feed' | 'control' | 'stream' | 'read-model' | 'declared-read-model' | 'bucket' | 'bucket-objects';

/** When the store needs a grant, in terms of `iamPolicy` options. */
export type IamNeed = 'always' | 'feed' | 'rebuild' | 'read-models' | 'create-tables' | 's3' | 'create-bucket' | 'operations';

export interface IamGrant {
  readonly actions: readonly string[];
  readonly resources: readonly IamResourceKind[];
  readonly need: IamNeed;
}

const ALL_TABLES: readonly IamResourceKind[] = ['changesets', 'aggregates', 'feed', 'control'];

/** One entry per row of docs/storage.md's IAM table, in its order. */
export const IAM_GRANTS: readonly IamGrant[] = [
  { actions: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem', 'dynamodb:DescribeTable'], resources: ['changesets'], need: 'always' },
  { actions: ['dynamodb:UpdateItem', 'dynamodb:GetItem', 'dynamodb:BatchGetItem'], resources: ['aggregates'], need: 'always' },
  { actions: ['dynamodb:Scan'], resources: ['changesets'], need: 'feed' },
  { actions: ['dynamodb:DescribeStream', 'dynamodb:GetShardIterator', 'dynamodb:GetRecords'], resources: ['stream'], need: 'feed' },
  { actions: ['dynamodb:PutItem', 'dynamodb:Query'], resources: ['feed'], need: 'feed' },
  { actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], resources: ['control'], need: 'feed' },
  { actions: ['dynamodb:ConditionCheckItem'], resources: ['control'], need: 'rebuild' },
  {
    actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable'],
    resources: ['read-model'],
    need: 'read-models',
  },
  { actions: ['dynamodb:Scan'], resources: ['read-model'], need: 'rebuild' },
  { actions: ['dynamodb:DescribeTable'], resources: ['aggregates'], need: 'always' },
  { actions: ['dynamodb:DescribeTable'], resources: ['feed', 'control'], need: 'feed' },
  { actions: ['dynamodb:Scan'], resources: ['aggregates', 'control'], need: 'operations' },
  { actions: ['dynamodb:CreateTable', 'dynamodb:UpdateTable'], resources: ALL_TABLES, need: 'create-tables' },
  { actions: ['dynamodb:CreateTable'], resources: ['declared-read-model'], need: 'create-tables' },
  { actions: ['s3:ListBucket'], resources: ['bucket'], need: 's3' },
  { actions: ['s3:CreateBucket'], resources: ['bucket'], need: 'create-bucket' },
  { actions: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'], resources: ['bucket-objects'], need: 's3' },
  { actions: ['s3:ListBucket'], resources: ['bucket'], need: 's3' },
];
