import { Body, Controller, Get, NotFoundException, Param, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { CommandAck } from '../shared/command-ack.js';
import { CreateUserCommand } from '../users/create-user.command.js';
import { ReadYourWrites } from '../views/read-your-writes.js';
import { USER_VIEWS } from '../views/user-view.projection.js';
import { ViewStore, type UserView } from '../views/view-store.js';
import { PathIdPipe, QueryTokenPipe } from './dto/pipes.js';
import { tokenList } from './dto/rules.js';
import { CreateUserBody } from './dto/write-bodies.js';

@Controller('users')
export class UsersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly views: ViewStore,
    private readonly freshness: ReadYourWrites,
  ) {}

  @Post()
  create(@Body() body: CreateUserBody): Promise<CommandAck> {
    return this.commands.execute(new CreateUserCommand(body.name, tokenList(body.after)));
  }

  /**
   * Reads the view, which trails the write by a moment: a GET right after the POST may still be 404, unless
   * it passes `?after=<token>`. The user view also counts claps, so a clap's token works here too.
   */
  @Get(':id')
  async get(@Param('id', PathIdPipe) id: string, @Query('after', QueryTokenPipe) after: string | undefined): Promise<UserView> {
    await this.freshness.after(USER_VIEWS, after);
    const view = await this.views.getUser(id);
    if (!view) throw new NotFoundException(`User "${id}" not found`);
    return view;
  }
}
