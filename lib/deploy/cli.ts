#!/usr/bin/env node
// `npx nestjs-dynamodb-event-store-tables --prefix app- > tables.json`: the store's tables as a CloudFormation
// template, or with --policy the IAM policy the application needs; both from the code that defines them.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { isProjectionClass } from '../projections/projection.decorator.js';
import { cloudFormationTemplate } from './cloudformation.js';
import { iamPolicy } from './iam-policy.js';

const USAGE = `usage: nestjs-dynamodb-event-store-tables [--prefix P] [--no-pitr] [--no-retain] [--projections M]...
       nestjs-dynamodb-event-store-tables --policy [--prefix P] [--region R] [--account A] [--no-feed]
              [--read-model-table T]... [--projections M]... [--no-rebuild] [--create-tables] [--bucket B] [--create-bucket]
--projections M: a compiled JavaScript module; the read-model tables its exported @Projection classes declare are included.`;

/** The `@Projection` classes a module exports (the module is imported, so it must be compiled JavaScript). */
async function projectionsOf(modules: readonly string[]): Promise<Function[]> {
  const classes: Function[] = [];
  for (const path of modules) {
    const exports = (await import(pathToFileURL(resolve(path)).href)) as Record<string, unknown>;
    const found = Object.values(exports).filter(isProjectionClass);
    if (found.length === 0) throw new Error(`--projections ${path}: the module exports no @Projection class`);
    classes.push(...found);
  }
  return classes;
}

async function main(argv: string[]): Promise<string> {
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
      projections: { type: 'string', multiple: true, default: [] },
      'no-rebuild': { type: 'boolean', default: false },
      'create-tables': { type: 'boolean', default: false },
      bucket: { type: 'string' },
      'create-bucket': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return USAGE;
  const projections = await projectionsOf(values.projections);
  const document = values.policy
    ? iamPolicy({
        tablePrefix: values.prefix,
        feed: !values['no-feed'],
        readModelTables: values['read-model-table'],
        projections,
        rebuild: !values['no-rebuild'],
        createTables: values['create-tables'],
        createBucket: values['create-bucket'],
        ...(values.region === undefined ? {} : { region: values.region }),
        ...(values.account === undefined ? {} : { account: values.account }),
        ...(values.bucket === undefined ? {} : { bucket: values.bucket }),
      })
    : cloudFormationTemplate({ tablePrefix: values.prefix, pointInTimeRecovery: !values['no-pitr'], retain: !values['no-retain'], projections });
  return JSON.stringify(document, null, 2);
}

try {
  process.stdout.write(`${await main(process.argv.slice(2))}\n`);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
  process.exitCode = 2;
}
