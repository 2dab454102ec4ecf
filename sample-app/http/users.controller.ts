import { Body, Controller, Get, NotFoundException, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { CommandAck } from '../shared/command-ack.js';
import { CreateUserCommand } from '../users/create-user.command.js';
import { ViewStore, type UserView } from '../views/view-store.js';
import { requireObject, requirePathId, requireText } from './validation.js';

@Controller('users')
export class UsersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly views: ViewStore,
  ) {}

  @Post()
  create(@Body() body: unknown): Promise<CommandAck> {
    const name = requireText(requireObject(body), 'name');
    return this.commands.execute(new CreateUserCommand(name));
  }

  /** Reads the view, which trails the write by a moment: a GET right after the POST may still be 404. */
  @Get(':id')
  async get(@Param('id') id: string): Promise<UserView> {
    const view = await this.views.getUser(requirePathId(id));
    if (!view) throw new NotFoundException(`User "${id}" not found`);
    return view;
  }
}
