import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readModelTableRequest } from '../../lib/adapters/dynamodb/read-model-table-request.js';
import { createTableRequests } from '../../lib/adapters/dynamodb/requests.js';
import { tableNames } from '../../lib/adapters/dynamodb/table-layout.js';
import { cloudFormationTemplate } from '../../lib/deploy/cloudformation.js';
import { iamPolicy } from '../../lib/deploy/iam-policy.js';
import { createTableInputs } from './cfn-to-create-table.js';
import { DeployCounters, DeployViews } from './declaring-projections.js';

/** The options `npm run deploy:example` generates deploy/ with. */
const EXAMPLE = { tablePrefix: 'app-' };
const EXAMPLE_POLICY = { tablePrefix: 'app-', readModelTables: ['app-views'], bucket: 'app-events' };
const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));
const cli = (...args: string[]): unknown => JSON.parse(execFileSync(process.execPath, ['dist/lib/deploy/cli.js', ...args], { encoding: 'utf8' }));

describe('deploy definitions', () => {
  it('deploy/ holds exactly what the generator makes (regenerate with `npm run deploy:example`)', () => {
    expect(readJson('deploy/cloudformation.json')).toEqual(cloudFormationTemplate(EXAMPLE));
    expect(readJson('deploy/iam-policy.json')).toEqual(iamPolicy(EXAMPLE_POLICY));
  });

  it('the CLI prints the same documents', () => {
    expect(cli('--prefix', 'app-')).toEqual(cloudFormationTemplate(EXAMPLE));
    expect(cli('--policy', '--prefix', 'app-', '--read-model-table', 'app-views', '--bucket', 'app-events')).toEqual(iamPolicy(EXAMPLE_POLICY));
    expect(() => execFileSync(process.execPath, ['dist/lib/deploy/cli.js', '--prefx', 'a-'], { stdio: 'pipe' })).toThrow(/Unknown option '--prefx'/);
  });

  it('deploys the tables createTables makes: same keys, stream, billing', () => {
    const tables = tableNames('p-');
    expect(createTableInputs(cloudFormationTemplate({ tablePrefix: 'p-' }))).toEqual(createTableRequests(tables));
    const template = cloudFormationTemplate({ tablePrefix: 'p-' });
    expect(Object.keys(template.Resources)).toEqual(['ChangesetsTable', 'AggregatesTable', 'FeedTable', 'ControlTable']);
    expect(template.Resources['ChangesetsTable']!.Properties['StreamSpecification']).toEqual({ StreamViewType: 'NEW_IMAGE' });
    expect(template.Outputs['ChangesetsTableStreamArn']!.Value).toEqual({ 'Fn::GetAtt': ['ChangesetsTable', 'StreamArn'] });
  });

  it('holds the read-model tables projections declare, each once, as createTables makes them', () => {
    const template = cloudFormationTemplate({ tablePrefix: 'p-', projections: [DeployViews, DeployCounters] });
    expect(Object.keys(template.Resources)).toEqual(['ChangesetsTable', 'AggregatesTable', 'FeedTable', 'ControlTable', 'ReadModelDeployViewsTable', 'ReadModelDeployCountersTable']);
    const [views, counters] = createTableInputs(template).slice(4);
    expect(views).toEqual(readModelTableRequest({ name: 'deploy-views', key: { pk: 'S' }, sortKey: { at: 'N' }, indexes: [{ name: 'by-author', key: { authorId: 'S' }, sortKey: { at: 'N' } }] }, 'p-'));
    expect(views).toMatchObject({
      TableName: 'p-deploy-views',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'at', AttributeType: 'N' }, { AttributeName: 'authorId', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'at', KeyType: 'RANGE' }],
      GlobalSecondaryIndexes: [{ IndexName: 'by-author', Projection: { ProjectionType: 'ALL' } }],
    });
    expect(counters).toMatchObject({ TableName: 'p-deploy-counters', KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] });
  });

  it('the CLI takes the projections from a compiled module (--projections)', () => {
    const module = 'dist/test/deploy/declaring-projections.js';
    const projections = [DeployViews, DeployCounters];
    expect(cli('--prefix', 'p-', '--projections', module)).toEqual(cloudFormationTemplate({ tablePrefix: 'p-', projections }));
    expect(cli('--policy', '--prefix', 'p-', '--create-tables', '--projections', module)).toEqual(iamPolicy({ tablePrefix: 'p-', createTables: true, projections }));
    expect(() => execFileSync(process.execPath, ['dist/lib/deploy/cli.js', '--projections', 'dist/test/deploy/cfn-to-create-table.js'], { stdio: 'pipe' })).toThrow(
      /exports no @Projection class/,
    );
  });

  it('retains the tables and turns on point-in-time recovery unless told not to', () => {
    const on = Object.values(cloudFormationTemplate().Resources);
    expect(on.map((r) => [r.DeletionPolicy, r.UpdateReplacePolicy, r.Properties['PointInTimeRecoverySpecification']])).toEqual(
      on.map(() => ['Retain', 'Retain', { PointInTimeRecoveryEnabled: true }]),
    );
    const off = Object.values(cloudFormationTemplate({ retain: false, pointInTimeRecovery: false }).Resources);
    expect(off.every((r) => r.DeletionPolicy === undefined && r.Properties['PointInTimeRecoverySpecification'] === undefined)).toBe(true);
    expect(Object.values(cloudFormationTemplate().Resources).map((r) => r.Properties['TableName'])).toEqual(['changesets', 'aggregates', 'feed', 'control']);
  });
});
