import { withSessionDefaults } from './with-session-defaults';

describe('withSessionDefaults', () => {
  it('adds the planner setting to a URL without options', () => {
    const url = new URL(withSessionDefaults('postgres://depot:secret@db.example:5432/depot?sslmode=require'));
    expect(url.searchParams.get('options')).toBe('-c random_page_cost=1.1');
    expect(url.searchParams.get('sslmode')).toBe('require');
    expect(`${url.username}:${url.password}@${url.host}${url.pathname}`).toBe(
      'depot:secret@db.example:5432/depot',
    );
  });

  it("puts the URL's own options after it, so they win", () => {
    const url = new URL(withSessionDefaults('postgres://db/depot?options=-c%20TimeZone%3DAsia%2FKolkata'));
    expect(url.searchParams.get('options')).toBe('-c random_page_cost=1.1 -c TimeZone=Asia/Kolkata');
  });
});
