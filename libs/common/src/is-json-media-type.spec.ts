import { isJsonMediaType } from './is-json-media-type';

describe('isJsonMediaType', () => {
  it.each([
    'application/json',
    'Application/JSON; charset=utf-8',
    'application/vnd.com.nsn.cumulocity.managedObject+json',
    'application/vnd.com.nsn.cumulocity.managedobject+json;ver=0.9;charset=UTF-8',
    'APPLICATION/VND.COM.NSN.CUMULOCITY.USER+JSON; ver=0.9',
  ])('accepts %s', (type) => expect(isJsonMediaType(type)).toBe(true));

  it.each([
    undefined,
    '',
    'text/plain',
    'multipart/form-data; boundary=x',
    'application/jsonx',
    'application/vnd.other+json',
  ])('rejects %s', (type) => expect(isJsonMediaType(type)).toBe(false));
});
