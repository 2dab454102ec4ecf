import { Controller, Get, type INestApplication, Logger, NotFoundException, Param } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AggregateNotFoundError, ChangesetTooLargeError, ConcurrencyError, EventSerializationError, EventStoreExceptionFilter, InvalidAggregateIdError, InvalidCommitTokenError, InvalidEventStoreOptionsError, InvalidExpectedVersionError, LeaseLostError, MalformedItemError, NothingToSaveError, ProjectionTimeoutError, StorageUnavailableError, UnknownEventTypeError } from '../../lib/index.js';

/** Each error a request can meet, thrown by a route of its own. */
const ERRORS: Record<string, () => Error> = {
  notFound: () => new AggregateNotFoundError('Account', 'a1'),
  conflict: () => new ConcurrencyError('Account', 'a1', 3, 4),
  badId: () => new InvalidAggregateIdError('Account', '', 'the id is empty'),
  badToken: () => new InvalidCommitTokenError('garbage'),
  badVersion: () => new InvalidExpectedVersionError('Account', 'a1', -1),
  tooLarge: () => new ChangesetTooLargeError('Account', 'a1', 500_000, 390_000),
  notJson: () => new EventSerializationError('account.opened', '$.balance', 'a BigInt'),
  timeout: () => new ProjectionTimeoutError('balances', 'token', 5000),
  storage: () => new StorageUnavailableError('PutItem app-changesets', new Error('socket hang up')),
  lease: () => new LeaseLostError('projection#balances', 'the rebuild of projection "balances"'),
  malformed: () => new MalformedItemError('app-changesets', '"Account#a1"/1', 'events is not JSON'),
  unknownStored: () => new UnknownEventTypeError('account.closed', 'Account', 'a1', 'load'),
  unregistered: () => new UnknownEventTypeError('AccountClosed', 'Account', 'a1', 'save'),
  nothing: () => new NothingToSaveError('Account', 'a1'),
  options: () => new InvalidEventStoreOptionsError('feed.idleMs', 'must be a number'),
  http: () => new NotFoundException('no such page'),
  plain: () => new Error('secret detail'),
};

@Controller()
class ThrowingController {
  @Get(':error')
  fail(@Param('error') error: string): never {
    throw ERRORS[error]!();
  }
}

describe('EventStoreExceptionFilter over HTTP', () => {
  let app: INestApplication;
  beforeAll(async () => {
    Logger.overrideLogger(false);
    const moduleRef = await Test.createTestingModule({
      controllers: [ThrowingController],
      providers: [{ provide: APP_FILTER, useClass: EventStoreExceptionFilter }],
    }).compile();
    app = moduleRef.createNestApplication();
    await app.init();
  });
  afterAll(() => app.close());

  const get = async (error: string) => {
    const response = await request(app.getHttpServer()).get(`/${error}`);
    return { status: response.status, body: response.body as unknown };
  };

  it.each([
    ['notFound', 404],
    ['conflict', 409],
    ['badId', 400],
    ['badToken', 400],
    ['badVersion', 400],
    ['tooLarge', 400],
    ['notJson', 400],
    ['timeout', 504],
    ['storage', 503],
    ['lease', 503],
  ])('answers %s with %i and the error message', async (error, status) => {
    expect(await get(error)).toEqual({ status, body: { statusCode: status, message: ERRORS[error]!().message } });
  });

  it.each(['malformed', 'unknownStored'])('answers unreadable stored data (%s) with 503, naming only the code', async (error) => {
    const { status, body } = await get(error);
    const code = (ERRORS[error]!() as unknown as { code: string }).code;
    expect({ status, body }).toEqual({ status: 503, body: { statusCode: 503, message: expect.stringContaining(`(${code})`) } });
    expect(JSON.stringify(body)).not.toMatch(/app-changesets|a1|account\.closed/);
  });

  it.each(['unregistered', 'nothing', 'options'])('answers library errors that are bugs in the app (%s) with a bare 500', async (error) => {
    expect(await get(error)).toEqual({ status: 500, body: { statusCode: 500, message: 'Internal server error' } });
  });

  it("leaves every other error to Nest's default handling", async () => {
    expect(await get('http')).toEqual({ status: 404, body: { statusCode: 404, message: 'no such page', error: 'Not Found' } });
    expect(await get('plain')).toEqual({ status: 500, body: { statusCode: 500, message: 'Internal server error' } });
  });
});
