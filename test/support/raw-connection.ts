import type { Server } from 'node:http';
import * as net from 'node:net';

/** A plain TCP connection to the test server, for exchanges no HTTP client would make. */
export interface RawConnection {
  socket: net.Socket;
  /** Everything received so far, as latin1 text. */
  received(): string;
  /** Resolves with what was received once `pattern` matches it; rejects after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the milliseconds from connecting to the server closing (or resetting) it. */
  closed: Promise<number>;
}

/** `allowHalfOpen`: keep the sending side open after the server closed its own (default: close too). */
export async function openRawConnection(
  server: Server,
  options: { allowHalfOpen?: boolean } = {},
): Promise<RawConnection> {
  const { port } = server.address() as net.AddressInfo;
  const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: options.allowHalfOpen ?? false });
  const started = Date.now();
  let text = '';
  const listeners = new Set<() => void>();
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString('latin1');
    for (const listener of listeners) listener();
  });
  // A reset after the answer is the outcome some tests look for, not a failure.
  socket.on('error', () => undefined);
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - started)));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return {
    socket,
    received: () => text,
    closed,
    waitFor(pattern, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (!pattern.test(text)) return;
          done();
          resolve(text);
        };
        const timer = setTimeout(() => {
          done();
          reject(
            new Error(`no ${String(pattern)} within ${timeoutMs} ms; received: ${JSON.stringify(text)}`),
          );
        }, timeoutMs);
        const onClose = (): void => {
          if (pattern.test(text)) return;
          done();
          reject(new Error(`closed before ${String(pattern)}; received: ${JSON.stringify(text)}`));
        };
        const done = (): void => {
          clearTimeout(timer);
          listeners.delete(check);
          socket.off('close', onClose);
        };
        listeners.add(check);
        socket.once('close', onClose);
        check();
      });
    },
  };
}

/** The head of an HTTP/1.1 request, ready to write. */
export function requestHead(requestLine: string, headers: Record<string, string | number>): string {
  return [requestLine, ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`), '', ''].join(
    '\r\n',
  );
}
