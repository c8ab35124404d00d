import { BadRequestException, Logger, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleRequestError } from './cumulocity-exception.filter';
import { CumulocityError } from './cumulocity-error';

class FakeResponse {
  headersSent = false;
  statusCode = 200;
  body = '';
  destroyed = false;
  readonly headers = new Map<string, string | number>();
  getHeaderNames = () => [...this.headers.keys()];
  removeHeader = (name: string) => this.headers.delete(name.toLowerCase());
  setHeader = (name: string, value: string | number) => this.headers.set(name.toLowerCase(), value);
  end = (payload: string) => (this.body = payload);
  destroy = () => (this.destroyed = true);
}

function render(error: unknown, url = '/inventory/binaries') {
  const response = new FakeResponse();
  response.setHeader('Content-Disposition', 'attachment; filename="x"');
  response.setHeader('X-Request-Id', 'req-1');
  const logger = new Logger('test');
  const logged = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
  const request = { url, method: 'GET', requestId: 'req-1', complete: true } as IncomingMessage;
  handleRequestError(error, request, response as unknown as ServerResponse, logger);
  return { response, body: JSON.parse(response.body) as Record<string, string>, logged };
}

describe('handleRequestError', () => {
  it('renders a CumulocityError with its status, code and headers', () => {
    const { response, body } = render(
      new CumulocityError(429, 'security/Too Many Requests', 'slow down', { 'Retry-After': '7' }),
    );
    expect(response.statusCode).toBe(429);
    expect(body).toEqual({
      error: 'security/Too Many Requests',
      message: 'slow down',
      info: 'https://www.cumulocity.com/guides/reference-guide/#error_reporting',
    });
    expect(response.headers.get('retry-after')).toBe('7');
    expect(String(response.headers.get('content-type'))).toMatch(
      /^application\/vnd\.com\.nsn\.cumulocity\.error\+json/,
    );
    expect(response.headers.has('content-disposition')).toBe(false);
    expect(response.headers.get('x-request-id')).toBe('req-1');
  });

  it.each([
    [new NotFoundException('Cannot GET /inventory/x'), 404, 'inventory/Not Found'],
    [new BadRequestException(['a must be set', 'b must be set']), 400, 'inventory/Bad Request'],
    [new PayloadTooLargeException(), 413, 'inventory/Payload Too Large'],
    [
      Object.assign(new SyntaxError('bad'), { type: 'entity.parse.failed', status: 400 }),
      400,
      'inventory/Bad Request',
    ],
    [
      Object.assign(new Error('too big'), { type: 'entity.too.large', status: 413 }),
      413,
      'inventory/Payload Too Large',
    ],
  ])('maps %p to %i %s', (error, status, code) => {
    const { response, body } = render(error);
    expect(response.statusCode).toBe(status);
    expect(body.error).toBe(code);
  });

  it('joins validation messages', () => {
    const { body } = render(new BadRequestException(['a must be set', 'b must be set']));
    expect(body.message).toBe('a must be set; b must be set');
  });

  it('answers the unexpected with a generic 500 carrying the request id, and logs it', () => {
    const { response, body, logged } = render(new Error('connection string postgres://secret@db'), '/user/x');
    expect(response.statusCode).toBe(500);
    expect(body.error).toBe('general/Internal Server Error');
    expect(body.message).not.toContain('secret');
    expect(body.requestId).toBe('req-1');
    expect(logged).toHaveBeenCalled();
  });

  it('cuts the connection when the response already started', () => {
    const response = new FakeResponse();
    response.headersSent = true;
    handleRequestError(
      new Error('mid-stream'),
      { url: '/x', complete: true } as IncomingMessage,
      response as unknown as ServerResponse,
      {
        error: () => undefined,
      } as unknown as Logger,
    );
    expect(response.destroyed).toBe(true);
  });
});
