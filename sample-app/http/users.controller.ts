import { Body, Controller, Get, NotFoundException, Param, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { CommandAck } from '../shared/command-ack.js';
import { CreateUserCommand } from '../users/create-user.command.js';
import { ReadYourWrites } from '../views/read-your-writes.js';
import { USER_VIEWS } from '../views/user-view.projection.js';
import { ViewStore, type UserView } from '../views/view-store.js';
import { optionalQueryToken, optionalTokens, requireObject, requirePathId, requireText } from './validation.js';

@Controller('users')
export class UsersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly views: ViewStore,
    private readonly freshness: ReadYourWrites,
  ) {}

  @Post()
  create(@Body() body: unknown): Promise<CommandAck> {
    const input = requireObject(body);
    const name = requireText(input, 'name');
    return this.commands.execute(new CreateUserCommand(name, optionalTokens(input, 'after')));
  }

  /**
   * Reads the view, which trails the write by a moment: a GET right after the POST may still be 404, unless
   * it passes `?after=<token>`. The user view also counts claps, so a clap's token works here too.
   */
  @Get(':id')
  async get(@Param('id') id: string, @Query('after') after: unknown): Promise<UserView> {
    const userId = requirePathId(id);
    await this.freshness.after(USER_VIEWS, optionalQueryToken(after));
    const view = await this.views.getUser(userId);
    if (!view) throw new NotFoundException(`User "${id}" not found`);
    return view;
  }
}
