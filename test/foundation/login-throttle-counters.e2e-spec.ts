import { LoginThrottleService } from '@depot/auth/login-throttle.service';
import { startTestApp, type TestApp } from '../support/test-app';

// The counters' rules, straight against PostgreSQL (the HTTP suites cannot make a hash fail on cue).
describe('LoginThrottleService counters', () => {
  let t: TestApp;
  let throttle: LoginThrottleService;
  beforeAll(async () => {
    t = await startTestApp({ AUTH_MAX_FAILURES: '1', AUTH_MAX_FAILURES_PER_ADDRESS: '3' });
    throttle = t.app.get(LoginThrottleService);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('gives the address its attempt back on a success, so logins that succeed never lock it', async () => {
    for (let i = 0; i < 6; i++) {
      const attempt = throttle.attempt('10.0.0.1', 'management', `member-${i}`);
      expect(await throttle.reserve(attempt)).toBe(0);
      await throttle.succeeded(attempt);
    }
  });

  it('gives both attempts back when the password could not be checked', async () => {
    const attempt = throttle.attempt('10.0.0.2', 'management', 'unlucky');
    for (let i = 0; i < 5; i++) {
      expect(await throttle.reserve(attempt)).toBe(0);
      await throttle.release(attempt);
    }
  });

  it("does not spend the address's allowance on attempts its user's lockout refused", async () => {
    const locked = throttle.attempt('10.0.0.3', 'management', 'guessed-at');
    expect(await throttle.reserve(locked)).toBe(0); // counted: user 1 of 1, address 1 of 3
    for (let i = 0; i < 4; i++) expect(await throttle.reserve(locked)).toBeGreaterThan(0);
    // Two other names still fit in the address's 3; a third does not.
    expect(await throttle.reserve(throttle.attempt('10.0.0.3', 'management', 'second'))).toBe(0);
    expect(await throttle.reserve(throttle.attempt('10.0.0.3', 'management', 'third'))).toBe(0);
    expect(await throttle.reserve(throttle.attempt('10.0.0.3', 'management', 'fourth'))).toBeGreaterThan(0);
    // Another address is not affected.
    expect(await throttle.reserve(throttle.attempt('10.0.0.4', 'management', 'fourth'))).toBe(0);
  });
});
