import { Controller, type DynamicModule, Module, type Provider } from '@nestjs/common';
import { CsrfTokens } from './csrf.js';
import { EXPLORER_ADMIN_GUARD, EXPLORER_GUARD, EXPLORER_LOCAL_ONLY, ExplorerAccessGuard } from './explorer-access.guard.js';
import { ExplorerController } from './explorer.controller.js';
import { ExplorerData } from './explorer-data.js';
import { type EventStoreExplorerOptions, validateExplorerOptions } from './explorer-options.js';

/**
 * A web page over the store: streams, the feed, projections and their actions. Off unless imported; it
 * refuses to start without a guard or `localOnly: true` (`InvalidEventStoreOptionsError`), because event
 * payloads hold personal data. Import it beside `EventStoreModule.forRoot`, whose store it reads.
 */
@Module({})
export class EventStoreExplorerModule {
  static forRoot(options: EventStoreExplorerOptions): DynamicModule {
    const { path, localOnly } = validateExplorerOptions(options);
    // A subclass per mount: decorating the shared class would move every app's explorer to the last path.
    class MountedExplorerController extends ExplorerController {}
    Controller(path)(MountedExplorerController);
    const providers: Provider[] = [
      ExplorerData,
      CsrfTokens,
      ExplorerAccessGuard,
      { provide: EXPLORER_LOCAL_ONLY, useValue: localOnly },
      ...(options.guard ? [{ provide: EXPLORER_GUARD, useClass: options.guard }] : []),
      ...(options.adminGuard ? [{ provide: EXPLORER_ADMIN_GUARD, useClass: options.adminGuard }] : []),
    ];
    return { module: EventStoreExplorerModule, controllers: [MountedExplorerController], providers };
  }
}
