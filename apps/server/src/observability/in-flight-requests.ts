import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/**
 * Counts requests from arrival until both their connection is done with them and their handler
 * has settled (an aborted upload's handler still deletes its blob after the socket is gone).
 */
@Injectable()
export class InFlightRequests {
  private active = 0;
  private draining = false;
  private waiters: Array<() => void> = [];

  /** Express middleware: tracks the request; while draining, asks clients to close the connection. */
  readonly middleware = (_request: Request, response: Response, next: NextFunction): void => {
    this.enter();
    if (this.draining) response.setHeader('Connection', 'close');
    response.once('close', () => this.leave());
    next();
  };

  get count(): number {
    return this.active;
  }

  enter(): void {
    this.active++;
  }

  leave(): void {
    this.active--;
    if (this.active > 0) return;
    for (const resolve of this.waiters.splice(0)) resolve();
  }

  startDraining(): void {
    this.draining = true;
  }

  /** Resolves true when nothing is in flight, false if `timeoutMs` passes first. */
  async idle(timeoutMs: number): Promise<boolean> {
    if (this.active <= 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const idle = new Promise<true>((resolve) => this.waiters.push(() => resolve(true)));
    try {
      return await Promise.race([idle, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }
}
