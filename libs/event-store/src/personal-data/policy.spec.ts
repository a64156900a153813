import type { JsonObject, JsonValue } from '../event.js';
import { PersonalDataPolicy, hasFields, mapFields, parseFieldPath } from './policy.js';

const mark = (value: JsonValue): JsonValue => ({ marked: value });

describe('PersonalDataPolicy and field paths', () => {
  const policy = new PersonalDataPolicy({
    LeadRegistered: ['name', 'contact.email', 'contact.phone', 'address'],
    OrderPlaced: ['lines[].note', 'giftWrap.message'],
    TagsChanged: ['tags[]'],
  });
  const apply = (type: string, data: JsonObject) => mapFields(data, policy.fieldsOf(type), mark);

  it('replaces top-level and nested fields, whatever their JSON type', () => {
    const data: JsonObject = {
      name: 'Zoë',
      contact: { email: 'zoe@example.com', phone: null, channel: 'web' },
      address: { street: 'Hauptstraße 1', city: 'Köln' },
      source: 'ad-7',
    };
    expect(apply('LeadRegistered', data)).toEqual({
      name: { marked: 'Zoë' },
      contact: { email: { marked: 'zoe@example.com' }, phone: { marked: null }, channel: 'web' },
      address: { marked: { street: 'Hauptstraße 1', city: 'Köln' } },
      source: 'ad-7',
    });
  });

  it('addresses every element of an array with []', () => {
    const data: JsonObject = { lines: [{ sku: 'A', note: 'ring me' }, { sku: 'B' }, 'odd'], tags: ['x'] };
    expect(apply('OrderPlaced', data)).toEqual({ lines: [{ sku: 'A', note: { marked: 'ring me' } }, { sku: 'B' }, 'odd'], tags: ['x'] });
    expect(apply('TagsChanged', { tags: ['vip', 7] })).toEqual({ tags: [{ marked: 'vip' }, { marked: 7 }] });
  });

  it('leaves absent fields, and paths through non-objects, alone without copying', () => {
    const data: JsonObject = { contact: 'not an object', lines: { note: 'not an array' } };
    expect(apply('LeadRegistered', data)).toBe(data);
    expect(apply('OrderPlaced', data)).toBe(data);
    expect(apply('OrderPlaced', { giftWrap: {} })).toEqual({ giftWrap: {} });
    expect(apply('Unknown', data)).toBe(data);
    expect(hasFields(data, policy.fieldsOf('LeadRegistered'))).toBe(false);
    expect(hasFields({ contact: { email: '' } }, policy.fieldsOf('LeadRegistered'))).toBe(true);
  });

  it('does not change the input and keeps unchanged parts shared', () => {
    const contact = { email: 'a@b.c' };
    const untouched = { deep: [1, 2] };
    const data: JsonObject = { contact, untouched };
    const result = apply('LeadRegistered', data);
    expect(data).toEqual({ contact: { email: 'a@b.c' }, untouched: { deep: [1, 2] } });
    expect(result.untouched).toBe(untouched);
    expect(result.contact).not.toBe(contact);
  });

  it('parses paths and rejects malformed ones', () => {
    expect(parseFieldPath('lines[].note')).toEqual([
      { key: 'lines', eachElement: true },
      { key: 'note', eachElement: false },
    ]);
    for (const bad of ['', 'a..b', 'a.', 'a[0]', 'a[]b', '[]']) expect(() => parseFieldPath(bad)).toThrow(/not a field path/);
  });

  it('rejects overlapping paths, which would encrypt a value twice, and a type declared twice', () => {
    expect(() => new PersonalDataPolicy({ A: ['contact', 'contact.email'] })).toThrow(/overlaps/);
    expect(() => new PersonalDataPolicy({ A: ['lines[].note', 'lines'] })).toThrow(/overlaps/);
    expect(() => new PersonalDataPolicy({ A: ['tags', 'tags[]'] })).toThrow(/overlaps/);
    expect(() => new PersonalDataPolicy({ A: ['contact.email', 'contactInfo'] })).not.toThrow();
    expect(() => new PersonalDataPolicy({ A: ['x'] }).register('A', ['y'])).toThrow(/declared twice/);
  });
});
