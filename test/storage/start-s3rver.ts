import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';

/** What a test needs to reach the server it started. */
export interface RunningS3rver {
  endPoint: string;
  port: number;
  stop(): Promise<void>;
}

interface KoaContext {
  method: string;
  path: string;
  query: Record<string, unknown>;
  headers: Record<string, string | undefined>;
  status: number;
  type: string;
  length: number;
  body: unknown;
  set(field: string, value: string): void;
  response: { get(field: string): string };
}
type KoaMiddleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void> | void;
interface S3rverInstance {
  middleware: KoaMiddleware[];
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance;

/**
 * s3rver 3.7.1 answers `GET /<bucket>?uploads` (ListMultipartUploads) with 501, and minio-js asks it
 * before every multipart upload. We never leave uploads open, so "none" is the truthful answer.
 */
const emptyListMultipartUploads: KoaMiddleware = async (ctx, next) => {
  const bucket = /^\/([^/]+)\/?$/.exec(ctx.path)?.[1];
  if (ctx.method !== 'GET' || !bucket || !('uploads' in ctx.query)) return next();
  ctx.status = 200;
  ctx.type = 'application/xml';
  ctx.body =
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
    `<Bucket>${bucket}</Bucket><KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker>` +
    '<MaxUploads>1000</MaxUploads><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>';
  return Promise.resolve();
};

/**
 * s3rver 3.7.1 reads `Range: bytes=0-0` as `bytes=0-` (`end || Infinity`) and sends the whole object;
 * S3 and MinIO send the first byte. Cut its answer to that byte.
 */
const firstByteRange: KoaMiddleware = async (ctx, next) => {
  await next();
  if (ctx.method !== 'GET' || ctx.headers.range !== 'bytes=0-0' || ctx.status !== 206) return;
  const size = /\/(\d+)$/.exec(ctx.response.get('Content-Range'))?.[1] ?? '*';
  const whole = ctx.body as Readable;
  ctx.body = Readable.from(
    (async function* () {
      for await (const chunk of whole as AsyncIterable<Buffer>) {
        if (chunk.length === 0) continue;
        yield chunk.subarray(0, 1);
        break;
      }
      whole.destroy();
    })(),
  );
  ctx.set('Content-Range', `bytes 0-0/${size}`);
  ctx.length = 1;
};

/** Starts s3rver on a free loopback port over a fresh directory; `stop` removes both. */
export async function startS3rver(): Promise<RunningS3rver> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const S3rver = require('s3rver') as S3rverClass;
  const directory = await mkdtemp(path.join(tmpdir(), 'depot-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, vhostBuckets: false });
  // Koa composes `middleware` when the server starts, so this runs before s3rver's own router.
  server.middleware.unshift(emptyListMultipartUploads, firstByteRange);
  const address = await server.run();
  return {
    endPoint: '127.0.0.1',
    port: address.port,
    async stop() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

// `node -r @swc-node/register test/storage/start-s3rver.ts` serves until killed and prints its port
// (the benchmark runs s3rver in its own process, so its memory is not counted as the driver's).
if (require.main === module) {
  void startS3rver().then((server) => {
    process.stdout.write(`${server.port}\n`);
    process.once('SIGTERM', () => void server.stop().then(() => process.exit(0)));
  });
}
