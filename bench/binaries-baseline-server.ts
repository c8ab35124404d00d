// The plain Node.js baselines of `npm run bench`: busboy -> file for uploads (`POST /upload`; with
// `?durable=1` the file is fsynced before the answer, the one durability step Depot's filesystem
// driver shares with it), `fs.createReadStream` (1 MiB highWaterMark) -> response for downloads.
// No framework, no database, no hashing: the ceiling to compare with.
import busboy from 'busboy';
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';

const directory = process.argv[2];
if (!directory) throw new Error('usage: binaries-baseline-server <directory>');

function upload(request: http.IncomingMessage, response: http.ServerResponse, durable: boolean): void {
  const parser = busboy({ headers: request.headers });
  let name: string | undefined;
  let written: Promise<void> | undefined;
  parser.on('file', (_field, file) => {
    name = randomUUID();
    written = pipeline(file, createWriteStream(path.join(directory, name), { flush: durable }));
  });
  parser.on('close', () => {
    void (written ?? Promise.resolve()).then(
      () => {
        response.writeHead(201, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ id: name }));
      },
      () => {
        response.writeHead(500);
        response.end();
      },
    );
  });
  request.pipe(parser);
}

const server = http.createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://baseline');
  if (request.method === 'POST' && url.pathname === '/upload') {
    upload(request, response, url.searchParams.get('durable') === '1');
    return;
  }
  const match = /^\/download\/([0-9a-f-]{36})$/.exec(url.pathname);
  if (request.method === 'GET' && match) {
    const file = path.join(directory, match[1]);
    response.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': statSync(file).size,
    });
    createReadStream(file, { highWaterMark: 1024 * 1024 }).pipe(response);
    return;
  }
  response.writeHead(404);
  response.end();
});

server.listen(0, '127.0.0.1', () => {
  // The parent reads the port from this line.
  process.stdout.write(`LISTENING ${(server.address() as AddressInfo).port}\n`);
});
