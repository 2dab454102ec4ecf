import { type ArgumentsHost, BadRequestException, Logger } from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';
import { AggregateNotFoundError, ConcurrencyError, InvalidAggregateIdError, InvalidCommitTokenError, InvalidEventStoreOptionsError, MalformedItemError, ProjectionTimeoutError, StorageUnavailableError, UnknownEventTypeError } from '../../lib/index.js';
import { ErrorFilter } from '../../sample-app/http/error.filter.js';

/** Runs the filter on one error and returns what it would have sent. */
function answer(error: unknown): { status: number; body: unknown } {
  let sent: { status: number; body: unknown } | undefined;
  const adapterHost = { httpAdapter: { isHeadersSent: () => false, reply: (_response: unknown, body: unknown, status: number) => (sent = { status, body }) } };
  const host = { getType: () => 'http', switchToHttp: () => ({ getResponse: () => ({}) }) };
  new ErrorFilter(adapterHost as unknown as HttpAdapterHost).catch(error, host as unknown as ArgumentsHost);
  if (!sent) throw new Error('the filter sent nothing');
  return sent;
}

describe('sample app: ErrorFilter', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it.each([
    ['AggregateNotFoundError', new AggregateNotFoundError('Post', 'p1'), 404],
    ['InvalidAggregateIdError', new InvalidAggregateIdError('Post', '', 'the id is empty'), 400],
    ['ConcurrencyError', new ConcurrencyError('Post', 'p1', 3, 4), 409],
    ['StorageUnavailableError', new StorageUnavailableError('PutItem', new Error('socket hang up')), 503],
    ['InvalidCommitTokenError', new InvalidCommitTokenError('garbage'), 400],
    ['ProjectionTimeoutError', new ProjectionTimeoutError('user-views', 'token', 5000), 504],
  ])('maps %s to %i with the library message', (_name, error, status) => {
    expect(answer(error)).toEqual({ status, body: { statusCode: status, message: error.message } });
  });

  it('keeps the status and message of HTTP exceptions, without Nest\'s extra "error" field', () => {
    expect(answer(new BadRequestException('"name" must be a string'))).toEqual({
      status: 400,
      body: { statusCode: 400, message: '"name" must be a string' },
    });
  });

  it.each([
    ['UnknownEventTypeError', new UnknownEventTypeError('post.deleted', 'Post', 'p1'), 'UNKNOWN_EVENT_TYPE'],
    ['MalformedItemError', new MalformedItemError('sample-changesets', '"Post#p1"/1', 'attribute "events" is not valid JSON'), 'MALFORMED_ITEM'],
  ])('maps %s (stored data this node cannot read) to 503, naming the code but not the table or key', (_name, error, code) => {
    const { status, body } = answer(error);
    expect(status).toBe(503);
    expect(body).toEqual({ statusCode: 503, message: expect.stringContaining(code) });
    expect(JSON.stringify(body)).not.toMatch(/sample-changesets|p1|post\.deleted/);
  });

  it('answers 500 without details for anything else, library errors without a mapping included', () => {
    const hidden = { status: 500, body: { statusCode: 500, message: 'Internal server error' } };
    expect(answer(new Error('secret detail'))).toEqual(hidden);
    expect(answer(new InvalidEventStoreOptionsError('feed.idleMs', 'must be a number'))).toEqual(hidden);
    expect(answer('a string')).toEqual(hidden);
  });
});
