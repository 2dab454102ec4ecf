import { Transform } from 'class-transformer';
import { MAX_CLAPS_PER_REQUEST } from '../../posts/post.aggregate.js';
import { IsOptionalIntegerIn, IsOptionalTokens, IsStoreId, IsText } from './rules.js';

/** Names and titles are stored trimmed; a value that is not a string is left for `IsText` to refuse. */
const Trim = () => Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

// Fields are checked in the order they are declared; the first failure is the 400's message.

/** `POST /users` */
export class CreateUserBody {
  @Trim()
  @IsText()
  readonly name!: string;

  /** Commit tokens this write is ordered after. */
  @IsOptionalTokens()
  readonly after?: string | string[];
}

/** `POST /posts` */
export class PublishPostBody {
  @IsStoreId()
  readonly authorId!: string;

  @Trim()
  @IsText()
  readonly title!: string;

  @IsOptionalTokens()
  readonly after?: string | string[];
}

/** `POST /posts/:id/claps` */
export class ClapBody {
  @IsStoreId()
  readonly userId!: string;

  /** Claps in this request, 1 to 50. Default 1. */
  @IsOptionalIntegerIn(1, MAX_CLAPS_PER_REQUEST)
  readonly count?: number;

  @IsOptionalTokens()
  readonly after?: string | string[];
}
