#!/usr/bin/env node
// `npx nestjs-dynamodb-event-store-tables --prefix app- > tables.json`: the store's tables as a CloudFormation
// template, or with --policy the IAM policy the application needs; both from the code that defines them.
import { parseArgs } from 'node:util';
import { cloudFormationTemplate } from './cloudformation.js';
import { iamPolicy } from './iam-policy.js';

const USAGE = `usage: nestjs-dynamodb-event-store-tables [--prefix P] [--no-pitr] [--no-retain]
       nestjs-dynamodb-event-store-tables --policy [--prefix P] [--region R] [--account A] [--no-feed]
              [--read-model-table T]... [--no-rebuild] [--create-tables] [--bucket B] [--create-bucket]`;

function main(argv: string[]): string {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      prefix: { type: 'string', default: '' },
      'no-pitr': { type: 'boolean', default: false },
      'no-retain': { type: 'boolean', default: false },
      policy: { type: 'boolean', default: false },
      region: { type: 'string' },
      account: { type: 'string' },
      'no-feed': { type: 'boolean', default: false },
      'read-model-table': { type: 'string', multiple: true, default: [] },
      'no-rebuild': { type: 'boolean', default: false },
      'create-tables': { type: 'boolean', default: false },
      bucket: { type: 'string' },
      'create-bucket': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return USAGE;
  const document = values.policy
    ? iamPolicy({
        tablePrefix: values.prefix,
        feed: !values['no-feed'],
        readModelTables: values['read-model-table'],
        rebuild: !values['no-rebuild'],
        createTables: values['create-tables'],
        createBucket: values['create-bucket'],
        ...(values.region === undefined ? {} : { region: values.region }),
        ...(values.account === undefined ? {} : { account: values.account }),
        ...(values.bucket === undefined ? {} : { bucket: values.bucket }),
      })
    : cloudFormationTemplate({ tablePrefix: values.prefix, pointInTimeRecovery: !values['no-pitr'], retain: !values['no-retain'] });
  return JSON.stringify(document, null, 2);
}

try {
  process.stdout.write(`${main(process.argv.slice(2))}\n`);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
  process.exitCode = 2;
}
