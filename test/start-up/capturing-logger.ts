import type { LoggerService } from '@nestjs/common';

/** A Nest logger that keeps warnings and errors, for `Test.createTestingModule(...).setLogger(logger)`. */
export class CapturingLogger implements LoggerService {
  readonly warnings: string[] = [];
  log(): void {}
  debug(): void {}
  verbose(): void {}
  warn(message: unknown): void {
    this.warnings.push(String(message));
  }
  error(message: unknown): void {
    this.warnings.push(String(message));
  }
}
