import { describeCrashRestart } from './crash-restart.js';

describeCrashRestart({ shards: 1, rounds: 4 });
