import type { ReadModelWrite } from '../../lib/index.js';

// Pure builders of the read-model writes the projections queue with `ctx.write`: each is one DynamoDB
// TransactWriteItem that commits together with the projection's checkpoint, so it lands exactly once.

export const userKey = (id: string): string => `User#${id}`;
export const postKey = (id: string): string => `Post#${id}`;
/** The item holding the app-wide counters (out-of-order claps). */
export const STATS_KEY = 'Stats';

const ONE = { N: '1' };
const ZERO = { N: '0' };

function update(table: string, pk: string, expression: string, values: Record<string, unknown>, names?: Record<string, string>): ReadModelWrite {
  return {
    Update: {
      TableName: table,
      Key: { pk: { S: pk } },
      UpdateExpression: expression,
      ExpressionAttributeValues: values,
      ...(names ? { ExpressionAttributeNames: names } : {}),
    },
  };
}

// Every write also does `ADD applied 1`: the number of events folded into the item, which lets a test tell
// "each event applied once" apart from totals that merely happen to add up.

export function userCreated(table: string, userId: string, name: string): ReadModelWrite {
  // `name` is a DynamoDB reserved word, hence `#name`; `if_not_exists` keeps claps counted before the user.
  return update(table, userKey(userId), 'SET #name = :name, claps = if_not_exists(claps, :zero) ADD applied :one', { ':name': { S: name }, ':zero': ZERO, ':one': ONE }, { '#name': 'name' });
}

/**
 * Clap counters are increments (`ctx.add`): the increments of one item within a commit are summed into one
 * write, so a hot post or a busy clapper costs one item per projection commit, not one per clap.
 */
export interface CounterIncrement {
  readonly key: { readonly pk: { readonly S: string } };
  readonly deltas: { readonly claps: number; readonly applied: number };
}

export function clapsGivenByUser(userId: string, count: number): CounterIncrement {
  return { key: { pk: { S: userKey(userId) } }, deltas: { claps: count, applied: 1 } };
}

export function postPublished(table: string, postId: string, authorId: string, title: string): ReadModelWrite {
  return update(table, postKey(postId), 'SET authorId = :authorId, title = :title, claps = if_not_exists(claps, :zero) ADD applied :one', {
    ':authorId': { S: authorId },
    ':title': { S: title },
    ':zero': ZERO,
    ':one': ONE,
  });
}

export function clapsReceivedByPost(postId: string, count: number): CounterIncrement {
  return { key: { pk: { S: postKey(postId) } }, deltas: { claps: count, applied: 1 } };
}

export function outOfOrderClap(table: string): ReadModelWrite {
  return update(table, STATS_KEY, 'ADD outOfOrderClaps :one', { ':one': ONE });
}
