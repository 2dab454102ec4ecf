import { ForRootAppModule } from './apps/for-root.module.js';
import { describeModuleVariant } from './support.js';

describeModuleVariant('forRoot with clients', ForRootAppModule);
