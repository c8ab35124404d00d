import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

/**
 * How long, and how much more of a refused body, the server reads after answering early before it
 * closes. Enough for a client on any link to read the answer and stop sending (nginx lingers
 * similarly); small enough that a refused client cannot make the server swallow a whole upload.
 */
export interface LingerBounds {
  ms: number;
  bytes: number;
}

export const LINGER_BOUNDS: LingerBounds = { ms: 2000, bytes: 16 * 1024 * 1024 };

const lingering = new WeakSet<Socket>();

/**
 * For an answer sent before the request body has arrived (401, 403, 404, 413...): answers with
 * `Connection: close`, and after the answer is out, half-closes and keeps reading and discarding
 * what the client still sends (lingering close, RFC 9112 §9.6) until it closes its side or the bounds
 * are reached, then closes. Closing at once would reset the connection with the client's bytes
 * unread, and the reset can destroy the answer before the client reads it (EPIPE instead of a 404).
 */
export function closeLingering(
  request: IncomingMessage,
  response: { shouldKeepAlive: boolean },
  bounds: LingerBounds = LINGER_BOUNDS,
): void {
  if (request.complete) return;
  response.shouldKeepAlive = false;
  const socket = request.socket;
  if (lingering.has(socket)) return;
  lingering.add(socket);
  // Node calls destroySoon once a `Connection: close` response is flushed; it would destroy the
  // socket right away.
  socket.destroySoon = () => {
    if (socket.writable) socket.end();
    const close = (): void => {
      socket.destroy();
    };
    const timer = setTimeout(close, bounds.ms);
    // The client closed its side, or sent all it had: nothing left to be reset.
    socket.once('end', close);
    request.once('end', close);
    // Polled: a dumped body never reaches the request, and the HTTP parser may read the socket
    // natively (no socket 'data' events), but the socket counts every byte it read.
    const limit = socket.bytesRead + bounds.bytes;
    const meter = setInterval(() => {
      if (socket.bytesRead > limit) close();
    }, 25);
    socket.once('close', () => {
      clearTimeout(timer);
      clearInterval(meter);
    });
    // Whatever consumed the body gave up on it: the rest flows into the void.
    request.unpipe();
    request.resume();
  };
}
