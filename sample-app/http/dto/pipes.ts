import { type ArgumentMetadata, BadRequestException, Injectable, type PipeTransform, ValidationPipe } from '@nestjs/common';
import type { ValidationError } from 'class-validator';
import { aggregateIdProblem } from '../../../lib/index.js';
import { isCommitToken } from './rules.js';

/** The first message of the first failed field (fields in declaration order, one failure each). */
function firstMessage(errors: readonly ValidationError[]): string {
  for (const error of errors) {
    const message = Object.values(error.constraints ?? {})[0] ?? firstMessage(error.children ?? []);
    if (message) return message;
  }
  return 'The request body is not valid';
}

/**
 * Nest's `ValidationPipe` on the write bodies' DTOs, answering one message rather than a list: the body must be
 * a JSON object, then each field's first failure, in declaration order.
 */
@Injectable()
export class BodyValidationPipe extends ValidationPipe {
  constructor() {
    super({
      transform: true,
      stopAtFirstError: true,
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => new BadRequestException(firstMessage(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'body') return value;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BadRequestException('The request body must be a JSON object');
    return super.transform(value, metadata);
  }
}

/** An id from the URL, checked with the store's id rule before it becomes part of a DynamoDB key. */
@Injectable()
export class PathIdPipe implements PipeTransform<string, string> {
  transform(id: string): string {
    const problem = aggregateIdProblem(id);
    if (problem !== undefined) throw new BadRequestException(`The id in the path is not valid: ${problem}`);
    return id;
  }
}

/** The optional `?after=TOKEN` of a read; repeated or malformed is a 400. */
@Injectable()
export class QueryTokenPipe implements PipeTransform<unknown, string | undefined> {
  transform(value: unknown, metadata: ArgumentMetadata): string | undefined {
    if (value === undefined) return undefined;
    if (!isCommitToken(value)) throw new BadRequestException(`"${metadata.data ?? 'after'}" must be one commit token (the "token" of an earlier write)`);
    return value;
  }
}

/** `?limit=N` of a list: absent is `fallback`; anything but one integer from 1 to `max` is a 400. */
@Injectable()
export class QueryLimitPipe implements PipeTransform<unknown, number> {
  constructor(
    private readonly fallback: number,
    private readonly max: number,
  ) {}

  transform(value: unknown, metadata: ArgumentMetadata): number {
    if (value === undefined) return this.fallback;
    // Digits only: Number() would also take '', ' 5', '1e1' and '0x10'.
    const limit = typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : Number.NaN;
    if (!(limit >= 1 && limit <= this.max)) throw new BadRequestException(`"${metadata.data ?? 'limit'}" must be an integer from 1 to ${this.max}`);
    return limit;
  }
}
