import { tableNames } from '../adapters/dynamodb/table-layout.js';
import { declaredTables } from '../projections/projection.decorator.js';
import { IAM_GRANTS, type IamNeed, type IamResourceKind } from './iam-grants.js';

export interface IamPolicyOptions {
  /** Prefix of the store's table names, as `dynamodb.tablePrefix`. Default `''`. */
  readonly tablePrefix?: string;
  /** AWS region of the tables, or a CloudFormation-style `${AWS::Region}`. Default `'*'`. */
  readonly region?: string;
  /** AWS account id of the tables. Default `'*'`. */
  readonly account?: string;
  /** ARN partition. Default `'aws'`. */
  readonly partition?: string;
  /** The ordered feed and projections run (`feed.enabled`). Default `true`. */
  readonly feed?: boolean;
  /** Tables your projections write with `ctx.write` (names as given to DynamoDB). Default: none. */
  readonly readModelTables?: readonly string[];
  /** `@Projection` classes: the read-model tables they declare are granted like `readModelTables` (prefixed). Default: none. */
  readonly projections?: readonly Function[];
  /** Projections may be rebuilt (`ProjectionManager.rebuild`, `ctx.clearTable`). Default `true` when the feed runs. */
  readonly rebuild?: boolean;
  /** For the operations CLI (`nestjs-dynamodb-event-store`): it scans the aggregates and control tables. Default `false`. */
  readonly operations?: boolean;
  /** The module creates its tables (`dynamodb.createTables`). Default `false`: deploy them from the template. */
  readonly createTables?: boolean;
  /** The S3 bucket (`s3.bucket`), when S3 is configured. Default: none. */
  readonly bucket?: string;
  /** The module creates the bucket (`s3.createBucket`). Default `false`. */
  readonly createBucket?: boolean;
}

export interface IamPolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow';
  readonly Action: readonly string[];
  readonly Resource: readonly string[];
}

export interface IamPolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly IamPolicyStatement[];
}

/**
 * The least-privilege IAM policy for an application that uses the store with these options: exactly the
 * rows of docs/storage.md's "IAM actions" table that apply, one statement per resource.
 */
export function iamPolicy(options: IamPolicyOptions = {}): IamPolicyDocument {
  const feed = options.feed ?? true;
  const prefix = options.tablePrefix ?? '';
  const declared = declaredTables(options.projections ?? []).map((table) => prefix + table.name);
  const readModels = [...new Set([...(options.readModelTables ?? []), ...declared])];
  const needed: Record<IamNeed, boolean> = {
    always: true,
    feed,
    rebuild: feed && (options.rebuild ?? true),
    'read-models': feed && readModels.length > 0,
    'create-tables': options.createTables ?? false,
    s3: options.bucket !== undefined,
    operations: options.operations ?? false,
    'create-bucket': options.bucket !== undefined && (options.createBucket ?? false),
  };
  const arns = resourceArns(options, readModels, declared);
  const byResource = new Map<IamResourceKind, Set<string>>();
  for (const grant of IAM_GRANTS) {
    if (!needed[grant.need]) continue;
    for (const kind of grant.resources) {
      if (arns[kind].length === 0) continue;
      const actions = byResource.get(kind) ?? new Set<string>();
      for (const action of grant.actions) actions.add(action);
      byResource.set(kind, actions);
    }
  }
  const statements = [...byResource].map(([kind, actions]) => ({
    Sid: sid(kind),
    Effect: 'Allow' as const,
    Action: [...actions].sort(),
    Resource: arns[kind],
  }));
  return { Version: '2012-10-17', Statement: statements };
}

function resourceArns(options: IamPolicyOptions, readModels: readonly string[], declared: readonly string[]): Record<IamResourceKind, string[]> {
  const base = `arn:${options.partition ?? 'aws'}:dynamodb:${options.region ?? '*'}:${options.account ?? '*'}:table/`;
  const tables = tableNames(options.tablePrefix ?? '');
  const s3 = `arn:${options.partition ?? 'aws'}:s3:::`;
  return {
    changesets: [base + tables.changesets],
    aggregates: [base + tables.aggregates],
    feed: [base + tables.feed],
    control: [base + tables.control],
    stream: [`${base}${tables.changesets}/stream/*`],
    'read-model': readModels.map((name) => base + name),
    'declared-read-model': declared.map((name) => base + name),
    bucket: options.bucket === undefined ? [] : [s3 + options.bucket],
    'bucket-objects': options.bucket === undefined ? [] : [`${s3}${options.bucket}/*`],
  };
}

/** `read-model` → `EventStoreReadModel`: statement ids must be alphanumeric. */
function sid(kind: IamResourceKind): string {
  return `EventStore${kind.replace(/(^|-)([a-z])/g, (_, _dash: string, letter: string) => letter.toUpperCase())}`;
}
