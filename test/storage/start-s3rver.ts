import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
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

const xml = (text: string) => text.replace(/[<>&'"]/g, (ch) => `&#${ch.charCodeAt(0)};`);

function answerXml(ctx: KoaContext, status: number, body: string): void {
  ctx.status = status;
  ctx.type = 'application/xml';
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>${body}`;
}

/**
 * s3rver 3.7.1 answers ListMultipartUploads (`GET /<bucket>?uploads`) with 501, and minio-js asks it
 * before every multipart `putObject`; it answers AbortMultipartUpload (`DELETE /<bucket>/<key>?uploadId=`)
 * with 405. Both are answered here from s3rver's own upload directories
 * (`<bucket>/._S3rver_uploads/<uploadId>/key`), so the contract suite sees an upload left open; with
 * none open the listing is the empty `ListMultipartUploadsResult`.
 */
function multipartUploads(directory: string): KoaMiddleware {
  return async (ctx, next) => {
    const [, bucket, key] = /^\/([^/]+)(?:\/(.+))?$/.exec(ctx.path) ?? [];
    if (!bucket) return next();
    const uploads = path.join(directory, bucket, '._S3rver_uploads');
    if (ctx.method === 'GET' && !key && 'uploads' in ctx.query) {
      const prefix = typeof ctx.query.prefix === 'string' ? ctx.query.prefix : '';
      let entries = '';
      for (const uploadId of await readdir(uploads).catch(() => [])) {
        const uploadKey = await readFile(path.join(uploads, uploadId, 'key'), 'utf8').catch(() => undefined);
        if (uploadKey === undefined || !uploadKey.startsWith(prefix)) continue;
        const initiated = (await stat(path.join(uploads, uploadId))).mtime.toISOString();
        entries += `<Upload><Key>${xml(uploadKey)}</Key><UploadId>${uploadId}</UploadId><Initiated>${initiated}</Initiated></Upload>`;
      }
      return answerXml(
        ctx,
        200,
        '<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
          `<Bucket>${xml(bucket)}</Bucket><KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker>` +
          `<MaxUploads>1000</MaxUploads><IsTruncated>false</IsTruncated>${entries}</ListMultipartUploadsResult>`,
      );
    }
    if (ctx.method === 'DELETE' && key && typeof ctx.query.uploadId === 'string') {
      const upload = path.join(uploads, path.basename(ctx.query.uploadId));
      const exists = await stat(upload).then(
        () => true,
        () => false,
      );
      if (!exists)
        return answerXml(
          ctx,
          404,
          '<Error><Code>NoSuchUpload</Code><Message>No such upload</Message></Error>',
        );
      await rm(upload, { recursive: true, force: true });
      ctx.status = 204;
      return;
    }
    return next();
  };
}

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
  server.middleware.unshift(multipartUploads(directory), firstByteRange);
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
