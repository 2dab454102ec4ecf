import { Body, Controller, Get, NotFoundException, Param, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ClapPostCommand } from '../posts/clap-post.command.js';
import { MAX_CLAPS_PER_REQUEST } from '../posts/post.aggregate.js';
import { PublishPostCommand } from '../posts/publish-post.command.js';
import type { CommandAck } from '../shared/command-ack.js';
import { POST_VIEWS } from '../views/post-view.projection.js';
import { ReadYourWrites } from '../views/read-your-writes.js';
import { type PostView, ViewStore } from '../views/view-store.js';
import { optionalInteger, optionalQueryToken, optionalTokens, requireId, requireObject, requirePathId, requireText } from './validation.js';

@Controller('posts')
export class PostsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly views: ViewStore,
    private readonly freshness: ReadYourWrites,
  ) {}

  @Post()
  publish(@Body() body: unknown): Promise<CommandAck> {
    const input = requireObject(body);
    const authorId = requireId(input, 'authorId');
    const title = requireText(input, 'title');
    return this.commands.execute(new PublishPostCommand(authorId, title, optionalTokens(input, 'after')));
  }

  @Post(':id/claps')
  clap(@Param('id') id: string, @Body() body: unknown): Promise<CommandAck> {
    const input = requireObject(body);
    const userId = requireId(input, 'userId');
    const count = optionalInteger(input, 'count', { min: 1, max: MAX_CLAPS_PER_REQUEST, default: 1 });
    return this.commands.execute(new ClapPostCommand(requirePathId(id), userId, count, optionalTokens(input, 'after')));
  }

  /** Reads the view, which trails the write by a moment: a GET right after the POST may still be 404, unless it passes `?after=<token>`. */
  @Get(':id')
  async get(@Param('id') id: string, @Query('after') after: unknown): Promise<PostView> {
    const postId = requirePathId(id);
    await this.freshness.after(POST_VIEWS, optionalQueryToken(after));
    const view = await this.views.getPost(postId);
    if (!view) throw new NotFoundException(`Post "${id}" not found`);
    return view;
  }
}
