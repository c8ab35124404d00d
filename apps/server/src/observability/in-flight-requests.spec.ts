import { EventEmitter } from 'node:events';
import type { NextFunction, Request, Response } from 'express';
import { InFlightRequests } from './in-flight-requests';

function fakeResponse(): Response & EventEmitter {
  const response = new EventEmitter() as Response & EventEmitter;
  const headers: Record<string, string> = {};
  response.setHeader = ((name: string, value: string) => {
    headers[name.toLowerCase()] = value;
    return response;
  }) as Response['setHeader'];
  response.getHeader = (name: string) => headers[name.toLowerCase()];
  return response;
}

describe('InFlightRequests', () => {
  const next: NextFunction = () => undefined;

  it('is idle at once when nothing runs', async () => {
    await expect(new InFlightRequests().idle(10)).resolves.toBe(true);
  });

  it('waits for the response to close and the handler to settle, whichever is last', async () => {
    const inFlight = new InFlightRequests();
    const response = fakeResponse();
    inFlight.middleware({} as Request, response, next);
    inFlight.handlerStarted();
    const idle = inFlight.idle(1000);
    response.emit('close');
    expect(inFlight.count).toBe(0);
    expect(inFlight.runningHandlers).toBe(1);
    inFlight.handlerSettled();
    await expect(idle).resolves.toBe(true);
  });

  it('gives up after the timeout', async () => {
    const inFlight = new InFlightRequests();
    inFlight.middleware({} as Request, fakeResponse(), next);
    await expect(inFlight.idle(20)).resolves.toBe(false);
  });

  it('asks clients to close the connection once draining', () => {
    const inFlight = new InFlightRequests();
    const before = fakeResponse();
    inFlight.middleware({} as Request, before, next);
    inFlight.startDraining();
    const after = fakeResponse();
    inFlight.middleware({} as Request, after, next);
    expect(before.getHeader('Connection')).toBeUndefined();
    expect(after.getHeader('Connection')).toBe('close');
  });
});
