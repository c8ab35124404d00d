import type { Principal } from '@depot/common';
import type { Request } from 'express';
import { PassThrough } from 'node:stream';
import type { BinariesService, StoredContent } from './binaries.service';
import { MeteredStorageEngine } from './metered-storage.engine';

const principal: Principal = { tenantId: 't1', userName: 'u', roles: [] };

/** A store whose outcome the test decides, standing in for a write that is still cleaning up. */
function deferredStore() {
  let settle!: { resolve: (stored: StoredContent) => void; reject: (error: Error) => void };
  const promise = new Promise<StoredContent>((resolve, reject) => (settle = { resolve, reject }));
  const binaries = {
    storeContent: () => promise,
    discard: () => Promise.resolve(),
  } as unknown as BinariesService;
  return { binaries, settle };
}

const filePart = (): Express.Multer.File =>
  ({ fieldname: 'file', stream: new PassThrough() }) as unknown as Express.Multer.File;

async function isPending(promise: Promise<unknown>): Promise<boolean> {
  const marker = Symbol('pending');
  return (
    (await Promise.race([promise, new Promise((resolve) => setImmediate(() => resolve(marker)))])) === marker
  );
}

describe('MeteredStorageEngine.settled', () => {
  it('resolves at once when nothing is being stored', async () => {
    const engine = new MeteredStorageEngine(deferredStore().binaries, principal, 10, () => undefined);
    expect(await isPending(engine.settled())).toBe(false);
  });

  it('waits for a failing store to finish before the upload may answer', async () => {
    const { binaries, settle } = deferredStore();
    const engine = new MeteredStorageEngine(binaries, principal, 10, () => undefined);
    const callback = jest.fn();
    engine._handleFile({} as Request, filePart(), callback);

    const settled = engine.settled();
    expect(await isPending(settled)).toBe(true);
    settle.reject(new Error('client went away'));
    await settled;
    expect(callback).toHaveBeenCalledWith(expect.any(Error));
  });

  it('waits for a successful store too', async () => {
    const { binaries, settle } = deferredStore();
    const engine = new MeteredStorageEngine(binaries, principal, 10, () => undefined);
    engine._handleFile({} as Request, filePart(), jest.fn());
    const settled = engine.settled();
    expect(await isPending(settled)).toBe(true);
    settle.resolve({ key: 't1/x', length: 1, md5: '', sha256: '' });
    await expect(settled).resolves.toBeUndefined();
  });
});
