export { EventStoreExplorerModule } from './explorer.module.js';
export type { EventStoreExplorerOptions } from './explorer-options.js';
export type { ExplorerActionResult } from './explorer.controller.js';
export { isLoopbackAddress } from './loopback.js';
export { escapeHtml } from './html.js';
export { CSRF_FIELD, CSRF_HEADER } from './csrf.js';
