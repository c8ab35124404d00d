import { requestLogLevel } from './build-logger-params';

describe('requestLogLevel', () => {
  it('logs our failures as errors, capacity answers as warnings and the rest as info', () => {
    expect(requestLogLevel(500)).toBe('error');
    expect(requestLogLevel(200, new Error('socket'))).toBe('error');
    expect(requestLogLevel(503)).toBe('warn');
    expect(requestLogLevel(507)).toBe('warn');
    expect(requestLogLevel(404)).toBe('info');
    expect(requestLogLevel(201)).toBe('info');
  });
});
