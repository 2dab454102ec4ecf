import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { type EventStoreErrorCode, isEventStoreError } from '../../lib/index.js';

/** The library has no notion of HTTP; this is where its error codes get their status. Others stay 500. */
const STATUS_BY_CODE: Partial<Record<EventStoreErrorCode, number>> = {
  AGGREGATE_NOT_FOUND: HttpStatus.NOT_FOUND,
  INVALID_AGGREGATE_ID: HttpStatus.BAD_REQUEST,
  CONCURRENCY: HttpStatus.CONFLICT,
  STORAGE_UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
  INVALID_COMMIT_TOKEN: HttpStatus.BAD_REQUEST,
  // `?after=` waited for a projection that did not get there in time: the view is there, just not yet fresh.
  PROJECTION_TIMEOUT: HttpStatus.GATEWAY_TIMEOUT,
  // Stored history this process cannot read: an item not written by this library (MALFORMED_ITEM), or an event
  // type with no class here (UNKNOWN_EVENT_TYPE), typically written by a newer version during a rolling deploy.
  // Not 4xx: the request is fine and the client cannot fix it. Not 500: the failure is known and typed. 503 says
  // "this server cannot serve that now": another node (a newer version) or a repaired item can. Logged as errors.
  MALFORMED_ITEM: HttpStatus.SERVICE_UNAVAILABLE,
  UNKNOWN_EVENT_TYPE: HttpStatus.SERVICE_UNAVAILABLE,
};

/** Errors about stored data: the response says what kind, the log says where (table, key, type). */
const DATA_PROBLEMS: ReadonlySet<EventStoreErrorCode> = new Set(['MALFORMED_ITEM', 'UNKNOWN_EVENT_TYPE']);

/** Answers every error as `{ statusCode, message }`, so clients parse one shape. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const { statusCode, message } = this.describe(exception);
    this.adapterHost.httpAdapter.reply(host.switchToHttp().getResponse(), { statusCode, message }, statusCode);
  }

  private describe(exception: unknown): { statusCode: number; message: string } {
    if (exception instanceof HttpException) {
      const body = exception.getResponse();
      const message = typeof body === 'object' && body !== null && 'message' in body ? body.message : body;
      return { statusCode: exception.getStatus(), message: Array.isArray(message) ? message.join('; ') : String(message) };
    }
    if (isEventStoreError(exception)) {
      const statusCode = STATUS_BY_CODE[exception.code];
      if (statusCode !== undefined && DATA_PROBLEMS.has(exception.code)) {
        this.logger.error(exception.message);
        return { statusCode, message: `Stored data behind this request cannot be read (${exception.code}); the details are in the server log` };
      }
      if (statusCode !== undefined) {
        if (statusCode >= 500) this.logger.warn(exception.message);
        return { statusCode, message: exception.message };
      }
    }
    // Unexpected: keep the details in the log, not in the response.
    this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    return { statusCode: HttpStatus.INTERNAL_SERVER_ERROR, message: 'Internal server error' };
  }
}
