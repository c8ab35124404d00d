import { CumulocityError } from '@depot/common';
import { parseApplicationReference } from './parse-application-reference';

describe('parseApplicationReference', () => {
  it.each([
    [{ application: { self: 'https://depot.example.com/application/applications/12' } }, '12'],
    [{ application: { self: 'https://depot.example.com/application/applications/12/' } }, '12'],
    [{ application: { id: '34' } }, '34'],
    [{ application: { id: 34 } }, '34'],
    // The Web SDK sends both; the self link wins.
    [{ application: { id: '1', self: 'http://x/application/applications/56' } }, '56'],
  ])('reads %j as application %s', (body, id) => {
    expect(parseApplicationReference(body)).toBe(id);
  });

  it.each([
    null,
    [],
    'x',
    {},
    { application: null },
    { application: [] },
    { application: {} },
    { application: { id: 'abc' } },
    { application: { id: '0' } },
    { application: { id: -1 } },
    { application: { self: 'http://x/application/applications/' } },
    { application: { self: 'http://x/application/applications/1%2F2' } },
  ])('refuses %j with a 422', (body) => {
    try {
      parseApplicationReference(body);
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(CumulocityError);
      expect((error as CumulocityError).status).toBe(422);
    }
  });
});
