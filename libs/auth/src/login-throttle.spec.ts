import { LoginThrottle, throttleKey } from './login-throttle';

describe('LoginThrottle', () => {
  let now = 0;
  const clock = () => now;
  const key = throttleKey('10.0.0.1', 't1', 'alice');
  beforeEach(() => (now = 1_000_000));

  it('locks after maxFailures for lockoutSeconds, then lets the pair try again', () => {
    const throttle = new LoginThrottle(3, 60, clock);
    expect(throttle.recordFailure(key)).toBe(0);
    expect(throttle.recordFailure(key)).toBe(0);
    expect(throttle.retryAfterSeconds(key)).toBe(0);
    expect(throttle.recordFailure(key)).toBe(60);
    expect(throttle.retryAfterSeconds(key)).toBe(60);
    now += 59_500;
    expect(throttle.retryAfterSeconds(key)).toBe(1);
    now += 500;
    expect(throttle.retryAfterSeconds(key)).toBe(0);
  });

  it('keeps pairs apart', () => {
    const throttle = new LoginThrottle(1, 60, clock);
    throttle.recordFailure(key);
    expect(throttle.retryAfterSeconds(throttleKey('10.0.0.2', 't1', 'alice'))).toBe(0);
    expect(throttle.retryAfterSeconds(throttleKey('10.0.0.1', 't1', 'bob'))).toBe(0);
  });

  it('forgets failures after a success or once the window passes', () => {
    const throttle = new LoginThrottle(2, 60, clock);
    throttle.recordFailure(key);
    throttle.recordSuccess(key);
    expect(throttle.recordFailure(key)).toBe(0);
    now += 61_000;
    expect(throttle.recordFailure(key)).toBe(0);
  });
});
