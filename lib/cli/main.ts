#!/usr/bin/env node
// `npx nestjs-dynamodb-event-store projections status`: operate a deployed store from its tables (see docs/operating.md).
import { hostname, userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { StoreOperations } from '../operations/store-operations.js';
import { explain } from './errors.js';
import { feedText, statusText, streamsText, streamText } from './format.js';

const USAGE = `usage: nestjs-dynamodb-event-store <command> [options]
commands:
  streams [--type T]                      recently updated aggregates
  stream <type> <id>                      a stream's changesets and events
  feed tail                               the feed's last entries
  projections status [<name>]             checkpoints, lag, lease owner, parked changesets (each feed shard's under the total)
  projections rebuild <name>              mark for a rebuild (the next node running it clears and replays)
  projections retry-parked <name>         let a stopped projection retry its parked changeset
  projections skip-parked <name> --reason R [--by B]
                                          move a stopped projection past its parked changeset
options: --prefix P (or EVENT_STORE_TABLE_PREFIX)  --region R  --endpoint URL  --json  --limit N (default 20)`;

/** A wrong command line: exit code 2, with the usage. */
class UsageError extends Error {}

type Values = { prefix?: string; region?: string; endpoint?: string; json: boolean; limit: string; type?: string; reason?: string; by?: string };

async function run(command: string[], values: Values, ops: StoreOperations): Promise<{ text: string; json: unknown }> {
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive integer, not "${values.limit}"`);
  const [first, second, third, ...rest] = command;
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
  if (first === 'streams' && second === undefined) {
    const result = await ops.listStreams({ limit, ...(values.type === undefined ? {} : { type: values.type }) });
    return { text: streamsText(result), json: result };
  }
  if (first === 'stream' && second !== undefined && third !== undefined) {
    const changesets = await ops.readStream(second, third);
    return { text: streamText(second, third, changesets), json: { aggregateType: second, aggregateId: third, changesets } };
  }
  if (first === 'feed' && second === 'tail' && third === undefined) {
    const tail = await ops.feedTail(limit);
    return { text: feedText(tail), json: tail };
  }
  if (first === 'projections' && second === 'status') {
    const projections = await ops.projections.status(third);
    return { text: statusText(projections), json: { projections } };
  }
  if (first === 'projections' && third !== undefined) return projectionAction(second, third, values, ops);
  throw new UsageError(command.length === 0 ? 'no command given' : `unknown command "${command.join(' ')}"`);
}

async function projectionAction(action: string | undefined, name: string, values: Values, ops: StoreOperations): Promise<{ text: string; json: unknown }> {
  let outcome;
  let done: string;
  if (action === 'rebuild') {
    outcome = await ops.projections.rebuild(name);
    done = `${name}: marked for a rebuild; the next node running it clears its read model and replays the feed`;
  } else if (action === 'retry-parked') {
    outcome = await ops.projections.retryParked(name);
    done = `${name}: the parked changeset will be retried by the next node running it`;
  } else if (action === 'skip-parked') {
    if (!values.reason) throw new UsageError('skip-parked needs --reason (it is recorded in the parked entry)');
    outcome = await ops.projections.skipParked(name, values.reason, values.by ?? `${userInfo().username}@${hostname()}`);
    done = `${name}: skipped the parked changeset; the projection goes on after it`;
  } else {
    throw new UsageError(`unknown projections command "${action}"`);
  }
  if (outcome === 'not-stopped') {
    process.exitCode = 1;
    return { text: `${name}: not stopped on a parked changeset; nothing to do`, json: { projection: name, outcome } };
  }
  if (outcome === 'fenced') {
    process.exitCode = 3;
    return { text: `${name}: another node took the lease meanwhile; nothing was changed`, json: { projection: name, outcome } };
  }
  return { text: done, json: { projection: name, outcome } };
}

async function main(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        prefix: { type: 'string' },
        region: { type: 'string' },
        endpoint: { type: 'string' },
        json: { type: 'boolean', default: false },
        limit: { type: 'string', default: '20' },
        type: { type: 'string' },
        reason: { type: 'string' },
        by: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  // The SDK reads AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB and the credentials chain itself; flags override them.
  const endpoint = values.endpoint ?? process.env['AWS_ENDPOINT_URL_DYNAMODB'] ?? process.env['AWS_ENDPOINT_URL'];
  const client = new DynamoDBClient({ ...(values.region ? { region: values.region } : {}), ...(values.endpoint ? { endpoint: values.endpoint } : {}) });
  const ops = new StoreOperations({ client, tablePrefix: values.prefix ?? process.env['EVENT_STORE_TABLE_PREFIX'] ?? '', actor: `cli@${hostname()}#${process.pid}` });
  try {
    await ops.checkTables();
    const result = await run(positionals, values as Values, ops);
    process.stdout.write(`${values.json ? JSON.stringify(result.json, null, 2) : result.text}\n`);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const { message, exitCode } = explain(error, endpoint);
    process.stderr.write(`${message}\n`);
    process.exitCode = exitCode;
  } finally {
    client.destroy();
  }
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
  process.exitCode = 2;
}
