import { describeCrashRestart } from './crash-restart.js';

// K = 4: each restart takes the four sequencer leases and every projection's four runner leases over. DynamoDB
// Local's stream has one shard, so one feed shard carries the load and the three others check in empty.
describeCrashRestart({ shards: 4, rounds: 3 });
