// Shown in docs/explorer.md ("Mounting it"); compiled by the tests.
import { type CanActivate, type ExecutionContext, Injectable, Module } from '@nestjs/common';
import { EventStoreExplorerModule } from '../../lib/explorer/index.js';

/** Your own authentication: here, a role an upstream middleware put on the request. */
@Injectable()
export class StaffGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const user = context.switchToHttp().getRequest<{ user?: { roles: string[] } }>().user;
    return user?.roles.includes('staff') ?? false;
  }
}

@Injectable()
export class OperatorGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const user = context.switchToHttp().getRequest<{ user?: { roles: string[] } }>().user;
    return user?.roles.includes('operator') ?? false;
  }
}

@Module({
  imports: [
    // Beside EventStoreModule.forRoot(...): staff read, operators also retry, skip and rebuild.
    EventStoreExplorerModule.forRoot({ path: '/explorer', guard: StaffGuard, adminGuard: OperatorGuard }),
  ],
})
export class OperationsModule {}

// On a developer's machine, no guard: only requests from loopback are answered, actions included.
export const localExplorer = EventStoreExplorerModule.forRoot({ path: '/explorer', localOnly: true });
