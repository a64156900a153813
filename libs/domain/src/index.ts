export * from './decider.js';
export * from './customer/index.js';
export * from './rep/index.js';
export * from './product/index.js';
export * from './campaign/index.js';
export * from './visitor/index.js';
export * from './event-schema.js';
// For the read side: calendar dates in query parameters and cursors are checked as commands check them.
export { isCalendarDate } from './validation.js';
// The text rule: the HTTP edge, the command runner and the read side apply the domain's own.
export { assertRuledTexts } from './validation.js';
export { keepsTextRule, textBreaches, textRuleBreach, type TextBreach, type TextKind } from './text.js';
