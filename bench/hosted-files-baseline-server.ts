// The baseline of `npm run bench:hosted`: `express.static` (plain Express 5 from node_modules) over
// the directory given, under `/static`. No authentication, no database: the ceiling to compare with.
import express from 'express';
import type { AddressInfo } from 'node:net';

const directory = process.argv[2];
if (!directory) throw new Error('usage: hosted-files-baseline-server <directory>');

const app = express();
app.disable('x-powered-by');
app.use('/static', express.static(directory));
const server = app.listen(0, '127.0.0.1', () => {
  // The parent reads the port from this line.
  process.stdout.write(`LISTENING ${(server.address() as AddressInfo).port}\n`);
});
