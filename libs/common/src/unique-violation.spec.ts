import { uniqueViolationOf } from './unique-violation';

describe('uniqueViolationOf', () => {
  it('names the constraint of a unique violation and nothing else', () => {
    expect(uniqueViolationOf({ code: '23505', constraint: 'uq_x' })).toEqual({ constraint: 'uq_x' });
    expect(uniqueViolationOf({ code: '23503', constraint: 'fk_x' })).toBeUndefined();
    expect(uniqueViolationOf(new Error('duplicate key'))).toBeUndefined();
    expect(uniqueViolationOf(undefined)).toBeUndefined();
  });
});
