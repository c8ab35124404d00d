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

  it('logs hosted files served as asked at debug, their failures as usual', () => {
    expect(requestLogLevel(200, undefined, '/apps/cockpit/main.js')).toBe('debug');
    expect(requestLogLevel(304, undefined, '/apps/public/login/')).toBe('debug');
    expect(requestLogLevel(404, undefined, '/apps/cockpit/missing.js')).toBe('info');
    expect(requestLogLevel(500, undefined, '/apps/cockpit/main.js')).toBe('error');
    expect(requestLogLevel(200, undefined, '/application/applications')).toBe('info');
  });
});
