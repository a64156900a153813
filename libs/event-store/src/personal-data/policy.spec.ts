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

  it('lists the string fields a rule neither protects nor declares not personal', () => {
    const strict = new PersonalDataPolicy(
      { NoteAdded: { personal: ['text', 'fields'], notPersonal: ['noteId', 'lines[].sku', 'tags[]'] } },
      { requireClassified: true },
    );
    const data: JsonObject = {
      noteId: 'n-1',
      text: 'ring twice',
      fields: { anything: 'goes', deep: ['x'] },
      lines: [{ sku: 'A', note: 'gift' }, { sku: 'B', qty: 2 }],
      tags: ['vip'],
      mood: 'sunny',
      count: 3,
      flags: [true, 'odd'],
    };
    expect(strict.requireClassified).toBe(true);
    expect(strict.unclassifiedFields('NoteAdded', data)).toEqual(['lines[].note', 'mood', 'flags[]']);
    expect(strict.unclassifiedFields('Unknown', { a: 'b', n: 1, o: { c: 'd' } })).toEqual(['a', 'o.c']);
    expect(new PersonalDataPolicy().requireClassified).toBe(false);
  });

  it('names the stream whose key protects an event, its own by default, and the streams an event links', () => {
    const rules = new PersonalDataPolicy({
      TaskAssigned: { personal: ['title'], keyStream: (data) => (typeof data.customerId === 'string' ? `customer-${data.customerId}` : undefined) },
      EmailClaimed: { personal: ['customerId'], keyLinks: (data, streamId) => [{ subject: `customer-${String(data.customerId)}`, linked: streamId, ownKey: true }] },
    });
    expect(rules.keyStreamOf('TaskAssigned', { customerId: '9', title: 't' }, 'rep-1')).toBe('customer-9');
    expect(rules.keyStreamOf('TaskAssigned', { title: 't' }, 'rep-1')).toBe('rep-1');
    expect(rules.keyStreamOf('Other', {}, 'rep-1')).toBe('rep-1');
    expect(rules.keyLinksOf('EmailClaimed', { customerId: '9' }, 'email-claim-ab')).toEqual([{ subject: 'customer-9', linked: 'email-claim-ab', ownKey: true }]);
    expect(rules.keyLinksOf('TaskAssigned', { customerId: '9' }, 'rep-1')).toEqual([]);
  });

  it('erases the personal fields present, as they read once their key is gone', () => {
    const erased = policy.erased('LeadRegistered', { name: 'Zoë', contact: { email: null, channel: 'web' }, source: 'ad-7' });
    expect(erased).toEqual({ name: { $erased: true }, contact: { email: { $erased: true }, channel: 'web' }, source: 'ad-7' });
    const untouched: JsonObject = { sku: 'A' };
    expect(policy.erased('OrderPlaced', untouched)).toBe(untouched);
  });

  it('rejects overlapping paths, which would encrypt a value twice, and a type declared twice', () => {
    expect(() => new PersonalDataPolicy({ A: ['contact', 'contact.email'] })).toThrow(/overlaps/);
    expect(() => new PersonalDataPolicy({ A: ['lines[].note', 'lines'] })).toThrow(/overlaps/);
    expect(() => new PersonalDataPolicy({ A: ['tags', 'tags[]'] })).toThrow(/overlaps/);
    expect(() => new PersonalDataPolicy({ A: ['contact.email', 'contactInfo'] })).not.toThrow();
    expect(() => new PersonalDataPolicy({ A: ['x'] }).register('A', ['y'])).toThrow(/declared twice/);
  });
});
