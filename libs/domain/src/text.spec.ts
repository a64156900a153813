import { RuleViolationError } from './decider.js';
import { keepsTextRule, textBreaches, textRuleBreach } from './text.js';
import { assertRuledTexts, optionalText, requiredTrimmed } from './validation.js';

const LONE_HIGH = '\ud800';
const LONE_LOW = '\udc00';

describe('the text rule', () => {
  it('accepts well-formed text of any script, emoji (surrogate pairs) included', () => {
    for (const text of ['Ada Lovelace', 'Zoë Ångström', '李小龍', 'محمد', '🙂 thumbs 👍🏽', 'a\u2028b']) {
      expect(textRuleBreach(text, 'line')).toBeUndefined();
    }
  });

  it('refuses NUL, lone surrogates and control characters, saying which and where', () => {
    expect(textRuleBreach('before\u0000after')).toBe('must not contain the NUL character (at index 6)');
    expect(textRuleBreach(`x${LONE_HIGH}@example.com`)).toBe('must be well-formed Unicode: a lone surrogate U+D800 at index 1');
    expect(textRuleBreach(`${LONE_LOW}`)).toMatch(/lone surrogate U\+DC00/);
    expect(textRuleBreach('bell\u0007')).toBe('must not contain control characters: U+0007 at index 4');
    expect(textRuleBreach('esc\u001b[31m')).toMatch(/U\+001B/);
    expect(textRuleBreach('del\u007f')).toMatch(/U\+007F/);
    expect(textRuleBreach('c1\u0085')).toMatch(/U\+0085/);
  });

  it('lets multi-line text hold tab, CR and LF, and single lines none of them', () => {
    const note = 'line one\r\n\tline two\n';
    expect(keepsTextRule(note, 'multiline')).toBe(true);
    expect(textRuleBreach(note, 'line')).toBe('must be a single line: no tab or line break (at index 8)');
    expect(keepsTextRule('a\tb', 'line')).toBe(false);
  });

  it('finds every breach in nested data, property names included, by path', () => {
    expect(textBreaches({ contact: { name: 'x\u0000y' }, lines: [{ sku: 'ok' }, { sku: LONE_HIGH }], ['bad\u0001key']: 1 })).toEqual([
      { field: 'contact.name', message: 'contact.name must not contain the NUL character (at index 1)' },
      { field: 'lines.1.sku', message: 'lines.1.sku must be well-formed Unicode: a lone surrogate U+D800 at index 0' },
      { field: 'bad\u0001key', message: 'the property name "bad\\u0001key" must not contain control characters: U+0001 at index 3' },
    ]);
    expect(textBreaches({ a: ['fine', { b: 'also\nfine' }] })).toEqual([]);
  });
});

describe('the domain checks apply the rule', () => {
  it('given a name with a NUL, when checked, then the rule is violated naming the field', () => {
    expect(() => requiredTrimmed('Ada\u0000', 'contact.name')).toThrow(RuleViolationError);
    try {
      requiredTrimmed('Ada\u0000', 'contact.name');
    } catch (error) {
      expect(error).toMatchObject({ reason: 'invalid_text', field: 'contact.name' });
    }
  });

  it('given a name on two lines, when checked, then it is refused; free text on two lines is kept', () => {
    expect(() => requiredTrimmed('Ada\nLovelace', 'contact.name')).toThrow(/single line/);
    expect(optionalText('first\nsecond', 'text')).toBe('first\nsecond');
  });

  it('given event data with a lone surrogate deep inside, when asserted, then the path is named', () => {
    expect(() => assertRuledTexts({ lines: [{ note: `a${LONE_LOW}` }] })).toThrow(expect.objectContaining({ reason: 'invalid_text', field: 'lines.0.note' }));
    expect(() => assertRuledTexts({ text: 'fine\ttext' })).not.toThrow();
  });
});
