import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import { BaseExceptionFilter, HttpAdapterHost } from '@nestjs/core';
import { eventStoreErrorBody } from './http-status.js';

/**
 * Answers the store's errors over HTTP: `AggregateNotFoundError` 404, `ConcurrencyError` 409, bad input
 * (ids, tokens, expected versions, payloads) 400, `ProjectionTimeoutError` 504, `StorageUnavailableError`
 * and unreadable stored data 503, other library errors 500; the body is `{ statusCode, message }`.
 * Everything else goes to `catchOther`, which is Nest's default handling unless a subclass overrides it.
 * Register it with `{ provide: APP_FILTER, useClass: EventStoreExceptionFilter }` or `app.useGlobalFilters`.
 */
@Catch()
export class EventStoreExceptionFilter implements ExceptionFilter {
  protected readonly logger = new Logger('EventStoreExceptionFilter');

  constructor(protected readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception; // RPC and WebSocket contexts keep their own handling
    const body = eventStoreErrorBody(exception);
    if (!body) return this.catchOther(exception, host);
    if (body.statusCode === 500) this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    // 5xx: the server's or the storage's trouble; the log keeps the full message (tables, keys, types).
    else if (body.statusCode >= 500) this.logger.warn((exception as Error).message);
    this.reply(host, body.statusCode, body);
  }

  /** Errors that are not the store's: Nest's default exception handling. */
  protected catchOther(exception: unknown, host: ArgumentsHost): void {
    new BaseExceptionFilter(this.adapterHost.httpAdapter).catch(exception, host);
  }

  protected reply(host: ArgumentsHost, statusCode: number, body: object): void {
    const adapter = this.adapterHost.httpAdapter;
    const response: unknown = host.switchToHttp().getResponse();
    if (adapter.isHeadersSent(response)) adapter.end(response);
    else adapter.reply(response, body, statusCode);
  }
}
