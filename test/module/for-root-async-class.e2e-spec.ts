import { ForRootAsyncClassAppModule } from './apps/for-root-async.module.js';
import { describeModuleVariant } from './support.js';

describeModuleVariant('forRootAsync with useClass', ForRootAsyncClassAppModule);
