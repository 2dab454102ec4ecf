import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createTableRequests } from '../../lib/adapters/dynamodb/requests.js';
import { tableNames } from '../../lib/adapters/dynamodb/table-layout.js';
import { cloudFormationTemplate } from '../../lib/deploy/cloudformation.js';
import { iamPolicy } from '../../lib/deploy/iam-policy.js';
import { createTableInputs } from './cfn-to-create-table.js';

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
