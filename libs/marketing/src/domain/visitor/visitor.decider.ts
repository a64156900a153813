import { clickData, type Decider, stripUndefined, violation } from '#domain';
import type { VisitorCommand } from './visitor.commands.js';
import type { VisitorEvent } from './visitor.events.js';
import { initialVisitorState, type VisitorState } from './visitor.state.js';

/**
 * The anonymous visitor's write model. A visitor needs no registration: the first click starts the
 * stream. `decide` throws RuleViolationError (the click's rules, `click_already_recorded`).
 */
export const visitorDecider: Decider<VisitorCommand, VisitorEvent, VisitorState> = {
  initialState: initialVisitorState,
  decide: decideVisitor,
  evolve: evolveVisitor,
};

export function decideVisitor(command: VisitorCommand, state: VisitorState): VisitorEvent[] {
  const data = clickData(command);
  // Refused like a second order or contract with one id: a tracker resending a click must not count it twice.
  if (state.clickIds.includes(data.clickId)) violation('click_already_recorded', `click ${data.clickId} is already recorded for this visitor`, 'clickId');
  return [stripUndefined({ type: 'AnonymousClickRecorded', data })];
}

export function evolveVisitor(state: VisitorState, event: VisitorEvent): VisitorState {
  switch (event.type) {
    case 'AnonymousClickRecorded':
      return { ...state, clickIds: [...state.clickIds, event.data.clickId] };
    default:
      // An event type this version does not know (written by a newer one): nothing to fold.
      return state;
  }
}
