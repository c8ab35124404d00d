import { HttpStatus } from '@nestjs/common';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { CumulocityError } from './cumulocity-error';
import { errorResourceForPath } from './error-resource';
import { sendCumulocityError } from './send-error';

export interface HttpServerTimeouts {
  /** How long a client may send nothing while its request is awaited, or read nothing of a response. */
  idleTimeoutMs: number;
  /** The longest a request head may take, however steadily it trickles in (slowloris). */
  headersTimeoutMs: number;
}

interface Exchange {
  request: IncomingMessage;
  response: ServerResponse;
}

/**
 * The HTTP server's edge behaviour:
 * - no bound on a request's total duration (Node's default cuts any upload after 300 s, so a device on
 *   a slow link could never send a large file), but one on the time a client is idle: a request
 *   whose body stops moving gets a 408 and the connection is closed, while one that keeps moving at
 *   any speed is let through; the request head stays bounded in total;
 * - `Expect: 100-continue` is answered only when the body is first read, which is after
 *   authentication, the roles check and the declared-size checks: a request refused before that gets
 *   its final answer without a `100 Continue` inviting the body.
 */
export function configureHttpServer(server: Server, timeouts: HttpServerTimeouts): void {
  const exchanges = new WeakMap<Socket, Exchange>();
  server.requestTimeout = 0;
  server.headersTimeout = timeouts.headersTimeoutMs;
  // The socket's inactivity timer: reset by every byte either way; Node re-arms it per request.
  server.timeout = timeouts.idleTimeoutMs;
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    exchanges.set(request.socket, { request, response });
  });
  server.on('timeout', (socket: Socket) => onIdle(socket, exchanges.get(socket)));
  server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => {
    continueOnFirstRead(request, response);
    server.emit('request', request, response);
  });
}

function onIdle(socket: Socket, exchange: Exchange | undefined): void {
  if (!exchange || exchange.response.writableFinished) {
    // Between requests (keep-alive) or before the first one: nothing to answer.
    socket.destroy();
    return;
  }
  const { request, response } = exchange;
  // The body is in and the response is not waiting on the client: the server is working, not idle.
  if (request.complete && !response.writableNeedDrain) return;
  if (request.complete || response.headersSent) {
    socket.destroy();
    return;
  }
  const error = new CumulocityError(
    HttpStatus.REQUEST_TIMEOUT,
    `${errorResourceForPath(request.url ?? '/')}/Request Timeout`,
    `The request body stopped arriving (nothing for ${socket.timeout ?? 0} ms)`,
  );
  response.shouldKeepAlive = false;
  sendCumulocityError(response, error);
  // Once the 408 is out, fail whatever still waits for the body (Node no longer would: the request
  // counts as answered) and close; a client that reads nothing either is cut off regardless.
  const abort = (): void => {
    clearTimeout(timer);
    request.destroy(error);
    socket.destroy();
  };
  const timer = setTimeout(abort, 1000).unref();
  response.once('finish', abort);
}

/** Sends `100 Continue` when something first reads the body, unless the answer went out already. */
function continueOnFirstRead(request: IncomingMessage, response: ServerResponse): void {
  request._read = (size: number): void => {
    // Back to IncomingMessage's own _read.
    delete (request as Partial<IncomingMessage>)._read;
    // Bytes already buffered: the client did not wait for the 100.
    if (!response.headersSent && request.readableLength === 0 && !request.complete) response.writeContinue();
    request._read(size);
  };
}
