import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { StorageUnavailableError } from '../../lib/index.js';
import { LeaderboardRow } from './leaderboard.entity.js';

/** One line of `GET /leaderboard`. */
export interface LeaderboardEntry {
  readonly userId: string;
  readonly name: string;
  /** Claps this user has given, over all posts: `claps` of `GET /users/:id` once both views caught up. */
  readonly clapsGiven: number;
}

@Injectable()
export class LeaderboardReader {
  constructor(@InjectRepository(LeaderboardRow) private readonly rows: Repository<LeaderboardRow>) {}

  /** The `limit` users who gave the most claps; ties by user id. */
  async top(limit: number): Promise<LeaderboardEntry[]> {
    try {
      const rows = await this.rows.find({ select: { userId: true, name: true, clapsGiven: true }, order: { clapsGiven: 'DESC', userId: 'ASC' }, take: limit });
      return rows.map(({ userId, name, clapsGiven }) => ({ userId, name, clapsGiven }));
    } catch (error) {
      // The event store's own typed error, so a database that is down answers 503 as DynamoDB's outages do.
      throw new StorageUnavailableError('SELECT leaderboard', error);
    }
  }
}
