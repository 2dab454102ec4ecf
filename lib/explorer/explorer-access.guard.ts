import { type CanActivate, type ExecutionContext, ForbiddenException, Inject, Injectable, Optional } from '@nestjs/common';
import { isObservable, lastValueFrom } from 'rxjs';
import { CSRF_FIELD, CSRF_HEADER, CsrfTokens } from './csrf.js';
import { isLoopbackAddress } from './loopback.js';

export const EXPLORER_GUARD = Symbol('EXPLORER_GUARD');
export const EXPLORER_ADMIN_GUARD = Symbol('EXPLORER_ADMIN_GUARD');
export const EXPLORER_LOCAL_ONLY = Symbol('EXPLORER_LOCAL_ONLY');

interface ExplorerRequest {
  readonly method: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body?: unknown;
  readonly socket?: { remoteAddress?: string };
  readonly raw?: { socket?: { remoteAddress?: string } };
}

/**
 * One gate for every explorer route, in this order: loopback (local-only mode), the app's guard (read
 * access), then for actions (every POST) the admin guard (or local-only mode) and the CSRF token. The
 * socket's address is used, never `X-Forwarded-For`, which any client can send.
 */
@Injectable()
export class ExplorerAccessGuard implements CanActivate {
  constructor(
    @Inject(EXPLORER_LOCAL_ONLY) private readonly localOnly: boolean,
    private readonly csrf: CsrfTokens,
    @Optional() @Inject(EXPLORER_GUARD) private readonly guard?: CanActivate,
    @Optional() @Inject(EXPLORER_ADMIN_GUARD) private readonly adminGuard?: CanActivate,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<ExplorerRequest>();
    if (this.localOnly && !isLoopbackAddress(request.socket?.remoteAddress ?? request.raw?.socket?.remoteAddress)) {
      throw new ForbiddenException('The explorer answers on loopback only');
    }
    if (this.guard && !(await consents(this.guard, context))) throw new ForbiddenException('The explorer guard refused this request');
    if (request.method !== 'POST') return true;
    if (this.adminGuard) {
      if (!(await consents(this.adminGuard, context))) throw new ForbiddenException('Explorer actions need the admin guard\'s consent');
    } else if (!this.localOnly) {
      throw new ForbiddenException('Explorer actions need an adminGuard (or localOnly)');
    }
    const header = request.headers[CSRF_HEADER];
    const field = (request.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
    if (!this.csrf.verify(typeof header === 'string' ? header : field)) throw new ForbiddenException('Missing or wrong CSRF token');
    return true;
  }
}

async function consents(guard: CanActivate, context: ExecutionContext): Promise<boolean> {
  const answer = guard.canActivate(context);
  return Boolean(isObservable(answer) ? await lastValueFrom(answer) : await answer);
}
