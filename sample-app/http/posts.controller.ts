import { Body, Controller, Get, NotFoundException, Param, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ClapPostCommand } from '../posts/clap-post.command.js';
import { PublishPostCommand } from '../posts/publish-post.command.js';
import type { CommandAck } from '../shared/command-ack.js';
import { POST_VIEWS } from '../views/post-view.projection.js';
import { ReadYourWrites } from '../views/read-your-writes.js';
import { type PostView, ViewStore } from '../views/view-store.js';
import { PathIdPipe, QueryTokenPipe } from './dto/pipes.js';
import { tokenList } from './dto/rules.js';
import { ClapBody, PublishPostBody } from './dto/write-bodies.js';

@Controller('posts')
export class PostsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly views: ViewStore,
    private readonly freshness: ReadYourWrites,
  ) {}

  @Post()
  publish(@Body() body: PublishPostBody): Promise<CommandAck> {
    return this.commands.execute(new PublishPostCommand(body.authorId, body.title, tokenList(body.after)));
  }

  @Post(':id/claps')
  clap(@Param('id', PathIdPipe) id: string, @Body() body: ClapBody): Promise<CommandAck> {
    return this.commands.execute(new ClapPostCommand(id, body.userId, body.count ?? 1, tokenList(body.after)));
  }

  /** Reads the view, which trails the write by a moment: a GET right after the POST may still be 404, unless it passes `?after=<token>`. */
  @Get(':id')
  async get(@Param('id', PathIdPipe) id: string, @Query('after', QueryTokenPipe) after: string | undefined): Promise<PostView> {
    await this.freshness.after(POST_VIEWS, after);
    const view = await this.views.getPost(id);
    if (!view) throw new NotFoundException(`Post "${id}" not found`);
    return view;
  }
}
