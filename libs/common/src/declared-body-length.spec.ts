import type { IncomingMessage } from 'node:http';
import { declaredBodyLength } from './declared-body-length';

const withHeaders = (headers: Record<string, string>): IncomingMessage => ({ headers }) as IncomingMessage;

describe('declaredBodyLength', () => {
  it('reads Content-Length, and nothing for a chunked, undeclared or unreadable body', () => {
    expect(declaredBodyLength(withHeaders({ 'content-length': '1024' }))).toBe(1024);
    expect(declaredBodyLength(withHeaders({ 'content-length': '0' }))).toBe(0);
    expect(declaredBodyLength(withHeaders({}))).toBeUndefined();
    expect(declaredBodyLength(withHeaders({ 'transfer-encoding': 'chunked' }))).toBeUndefined();
    expect(declaredBodyLength(withHeaders({ 'content-length': 'many' }))).toBeUndefined();
  });
});
