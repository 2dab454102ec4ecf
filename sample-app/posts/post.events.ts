import { EventType } from '../../lib/index.js';

/** Event names are explicit so stored history survives class renames and minification. */
@EventType('post.published')
export class PostPublished {
  constructor(
    readonly postId: string,
    readonly authorId: string,
    readonly title: string,
  ) {}
}

@EventType('post.clapped')
export class PostClapped {
  constructor(
    readonly postId: string,
    readonly userId: string,
    readonly count: number,
  ) {}
}
