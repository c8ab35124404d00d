// The plain Node.js baseline for `npm run bench`: busboy -> file for uploads, a file stream with a
// 1 MiB highWaterMark for downloads. No framework, no database, no hashing: the ceiling to compare with.
import busboy from 'busboy';
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';

const directory = process.argv[2];
if (!directory) throw new Error('usage: binaries-baseline-server <directory>');

const server = http.createServer((request, response) => {
  if (request.method === 'POST' && request.url === '/upload') {
    const parser = busboy({ headers: request.headers });
    let name: string | undefined;
    let written: Promise<void> | undefined;
    parser.on('file', (_field, file) => {
      name = randomUUID();
      written = pipeline(file, createWriteStream(path.join(directory, name)));
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
    return;
  }
  const match = /^\/download\/([0-9a-f-]{36})$/.exec(request.url ?? '');
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
