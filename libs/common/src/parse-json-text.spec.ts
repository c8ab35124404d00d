import { CumulocityError } from './cumulocity-error';
import { MAX_JSON_DEPTH, parseJsonText } from './parse-json-text';

function nested(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

function errorOf(text: string): CumulocityError {
  try {
    parseJsonText(text, 'The body', 'inventory');
  } catch (error) {
    expect(error).toBeInstanceOf(CumulocityError);
    return error as CumulocityError;
  }
  throw new Error('expected a CumulocityError');
}

describe('parseJsonText', () => {
  it('parses ordinary documents, strings with escapes included', () => {
    expect(parseJsonText('{"a":[1,{"b":"x\\ty"}],"c":null}', 'The body')).toEqual({
      a: [1, { b: 'x\ty' }],
      c: null,
    });
    // An escaped backslash followed by "u0000" is text, not U+0000.
    expect(parseJsonText('{"a":"\\\\u0000"}', 'The body')).toEqual({ a: '\\u0000' });
  });

  it('accepts MAX_JSON_DEPTH levels and refuses one more with a 422', () => {
    expect(() => parseJsonText(nested(MAX_JSON_DEPTH), 'The body')).not.toThrow();
    const error = errorOf(nested(MAX_JSON_DEPTH + 1));
    expect(error.status).toBe(422);
    expect(error.error).toBe('inventory/Invalid Data');
    expect(error.message).toContain('deeper than 64');
  });

  it.each([5_000, 100_000])('refuses %d levels without overflowing the stack', (depth) => {
    expect(errorOf(nested(depth)).status).toBe(422);
    expect(errorOf(`{"a":${'{"b":'.repeat(depth)}1${'}'.repeat(depth)}}`).status).toBe(422);
  });

  it.each([
    ['a value', '{"name":"a\\u0000b"}'],
    ['a key', '{"a\\u0000":1}'],
    ['a nested array item', '{"a":[[1,"\\u0000"]]}'],
    ['a top-level string', '"\\u0000"'],
  ])('refuses U+0000 in %s with a 422', (_where, text) => {
    const error = errorOf(text);
    expect(error.status).toBe(422);
    expect(error.message).toMatch(/^The body must not contain U\+0000/);
  });

  it('answers malformed text with a 400', () => {
    const error = errorOf('{"a":');
    expect(error.status).toBe(400);
    expect(error.error).toBe('inventory/Bad Request');
  });
});
