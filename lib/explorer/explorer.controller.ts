import { applyDecorators, BadRequestException, Body, Get, Header, HttpCode, Param, Post, Query, Redirect, Req, UseGuards } from '@nestjs/common';
import { EXPLORER_SCRIPT, EXPLORER_STYLES } from './assets.js';
import { CsrfTokens } from './csrf.js';
import { ExplorerAccessGuard } from './explorer-access.guard.js';
import { ExplorerData } from './explorer-data.js';
import { layout } from './pages/layout.js';
import { feedPage, projectionsPage } from './pages/ops-pages.js';
import { streamPage, streamsPage } from './pages/stream-pages.js';

const SECURITY_HEADERS = applyDecorators(
  Header('Content-Security-Policy', "default-src 'self'"),
  Header('X-Content-Type-Options', 'nosniff'),
  Header('Referrer-Policy', 'no-referrer'),
  Header('Cache-Control', 'no-store'),
);
const page = (path: string) => applyDecorators(Get(path), SECURITY_HEADERS, Header('Content-Type', 'text/html; charset=utf-8'));
const STREAMS_LISTED = 50;

/** What each action answers: `not-leader` when another node holds the projection's lease and nothing changed. */
export interface ExplorerActionResult {
  readonly outcome: string;
}

/**
 * The explorer's routes, relative to the mount path: `forRoot` mounts a subclass under the app's chosen
 * path, so two apps in one process can mount it at different paths.
 */
@UseGuards(ExplorerAccessGuard)
export class ExplorerController {
  constructor(
    private readonly data: ExplorerData,
    private readonly csrf: CsrfTokens,
  ) {}

  @Get()
  @Redirect('streams', 303)
  root(@Req() request: { url: string }): { url: string } {
    const path = request.url.split('?')[0]!;
    return { url: path.endsWith('/') ? 'streams' : `${path.split('/').at(-1)}/streams` };
  }

  @page('streams')
  async streams(@Query('type') type?: string): Promise<string> {
    const query = typeof type === 'string' && type !== '' ? { type } : {};
    const { streams, complete } = await this.data.operations.listStreams({ ...query, limit: STREAMS_LISTED });
    return layout('Streams', this.csrf.token, streamsPage(query, streams, complete));
  }

  @page('stream')
  async stream(@Query('type') type: unknown, @Query('id') id: unknown): Promise<string> {
    if (typeof type !== 'string' || typeof id !== 'string' || type === '' || id === '') throw new BadRequestException('type and id are required');
    const [changesets, snapshot] = await Promise.all([this.data.stream(type, id), this.data.snapshot(type, id)]);
    return layout(`${type} ${id}`, this.csrf.token, streamPage(type, id, changesets, snapshot));
  }

  @page('feed')
  async feed(): Promise<string> {
    const [live, tail] = await Promise.all([this.data.live(), this.data.operations.feedTail(50)]);
    return layout('Feed', this.csrf.token, feedPage(tail.head, tail.entries, live.chart));
  }

  @page('projections')
  async projections(): Promise<string> {
    return layout('Projections', this.csrf.token, projectionsPage(await this.data.projectionStatuses(), this.csrf.token));
  }

  @Get('live.json')
  @SECURITY_HEADERS
  async live(): Promise<{ values: Record<string, string>; chart: object }> {
    const { values, chart } = await this.data.live();
    return { values, chart };
  }

  @Get('explorer.js')
  @SECURITY_HEADERS
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  script(): string {
    return EXPLORER_SCRIPT;
  }

  @Get('explorer.css')
  @SECURITY_HEADERS
  @Header('Content-Type', 'text/css; charset=utf-8')
  styles(): string {
    return EXPLORER_STYLES;
  }

  @Post('projections/:name/retry')
  @HttpCode(200)
  @SECURITY_HEADERS
  async retry(@Param('name') name: string): Promise<ExplorerActionResult> {
    return { outcome: (await this.manager().retryParked(name)) ? 'retrying' : 'not-leader' };
  }

  @Post('projections/:name/skip')
  @HttpCode(200)
  @SECURITY_HEADERS
  async skip(@Param('name') name: string, @Body() body: { reason?: unknown } | undefined, @Req() request: { socket?: { remoteAddress?: string } }): Promise<ExplorerActionResult> {
    const reason = typeof body?.reason === 'string' ? body.reason.trim() : '';
    if (reason === '') throw new BadRequestException('A skip needs a reason: it is recorded in the parked entry');
    return { outcome: await this.manager().skipParked(name, reason, `explorer (${request.socket?.remoteAddress ?? 'unknown'})`) };
  }

  @Post('projections/:name/rebuild')
  @HttpCode(200)
  @SECURITY_HEADERS
  async rebuild(@Param('name') name: string): Promise<ExplorerActionResult> {
    return { outcome: (await this.manager().rebuild(name)) ? 'rebuilding' : 'not-leader' };
  }

  private manager() {
    const manager = this.data.projections;
    if (!manager) throw new BadRequestException('The feed is off on this node: no projection runs here');
    return manager;
  }
}
