import { type ArgumentsHost, Catch, HttpException, HttpStatus } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { EventStoreExceptionFilter } from '../../lib/index.js';

/**
 * The library's filter answers the store's errors (404, 409, 400, 504, 503); this one adds the sample's
 * single shape for everything else: `{ statusCode, message }`, without Nest's extra `error` field.
 */
@Catch()
export class ErrorFilter extends EventStoreExceptionFilter {
  constructor(adapterHost: HttpAdapterHost) {
    super(adapterHost);
  }

  protected override catchOther(exception: unknown, host: ArgumentsHost): void {
    if (exception instanceof HttpException) {
      const body = exception.getResponse();
      const message = typeof body === 'object' && body !== null && 'message' in body ? body.message : body;
      const statusCode = exception.getStatus();
      return this.reply(host, statusCode, { statusCode, message: Array.isArray(message) ? message.join('; ') : String(message) });
    }
    // Unexpected: keep the details in the log, not in the response.
    this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    this.reply(host, HttpStatus.INTERNAL_SERVER_ERROR, { statusCode: HttpStatus.INTERNAL_SERVER_ERROR, message: 'Internal server error' });
  }
}
