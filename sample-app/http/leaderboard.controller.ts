import { Controller, Get, Query } from '@nestjs/common';
import { LEADERBOARD } from '../leaderboard/leaderboard.projection.js';
import { type LeaderboardEntry, LeaderboardReader } from '../leaderboard/leaderboard.reader.js';
import { ReadYourWrites } from '../views/read-your-writes.js';
import { QueryLimitPipe, QueryTokenPipe } from './dto/pipes.js';

export const DEFAULT_LEADERBOARD_LIMIT = 10;
export const MAX_LEADERBOARD_LIMIT = 100;

@Controller('leaderboard')
export class LeaderboardController {
  constructor(
    private readonly leaderboard: LeaderboardReader,
    private readonly freshness: ReadYourWrites,
  ) {}

  /**
   * The users who gave the most claps, most first, ties by user id. Read from PostgreSQL, which trails the
   * writes by a moment; `?after=<token>` of a user's creation or a clap waits until the leaderboard includes it.
   */
  @Get()
  async top(
    @Query('limit', new QueryLimitPipe(DEFAULT_LEADERBOARD_LIMIT, MAX_LEADERBOARD_LIMIT)) limit: number,
    @Query('after', QueryTokenPipe) after: string | undefined,
  ): Promise<LeaderboardEntry[]> {
    await this.freshness.after(LEADERBOARD, after);
    return this.leaderboard.top(limit);
  }
}
