import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One user's row of `GET /leaderboard`, in PostgreSQL. The table is created by the migration next to this
 * file (not by `synchronize`), which also adds the index the top-N query reads.
 */
@Entity('leaderboard')
export class LeaderboardRow {
  /** `COLLATE "C"`: ties are ordered by the id's bytes, whatever the database's locale. */
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 64, collation: 'C' })
  userId!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ name: 'claps_given', type: 'integer', default: 0 })
  clapsGiven!: number;

  /** Events folded into the row (its creation and each clap): lets a test tell "each applied once" from totals that happen to match. */
  @Column({ type: 'integer', default: 1 })
  applied!: number;
}
