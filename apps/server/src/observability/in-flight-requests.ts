import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/**
 * Counts requests from arrival until their connection is done with them, and handlers until they
 * have settled (an aborted upload's handler still deletes its blob after the socket is gone).
 */
@Injectable()
export class InFlightRequests {
  private requests = 0;
  private handlers = 0;
  private draining = false;
  private waiters: Array<() => void> = [];

  /** Express middleware: tracks the request; while draining, asks clients to close the connection. */
  readonly middleware = (_request: Request, response: Response, next: NextFunction): void => {
    this.requests++;
    if (this.draining) response.setHeader('Connection', 'close');
    response.once('close', () => {
      this.requests--;
      this.notify();
    });
    next();
  };

  /** Requests whose response is not finished yet. */
  get count(): number {
    return this.requests;
  }

  /** Handlers still running, including those of requests whose client is gone. */
  get runningHandlers(): number {
    return this.handlers;
  }

  handlerStarted(): void {
    this.handlers++;
  }

  handlerSettled(): void {
    this.handlers--;
    this.notify();
  }

  startDraining(): void {
    this.draining = true;
  }

  /** Resolves true when nothing is in flight, false if `timeoutMs` passes first. */
  async idle(timeoutMs: number): Promise<boolean> {
    if (this.isIdle()) return true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const idle = new Promise<true>((resolve) => this.waiters.push(() => resolve(true)));
    try {
      return await Promise.race([idle, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  private isIdle(): boolean {
    return this.requests <= 0 && this.handlers <= 0;
  }

  private notify(): void {
    if (!this.isIdle()) return;
    for (const resolve of this.waiters.splice(0)) resolve();
  }
}
