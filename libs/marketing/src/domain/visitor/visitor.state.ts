import { deepFreeze } from '#domain';

/** What deciding on a visitor's stream needs. Plain JSON. */
export interface VisitorState {
  /** Every click id recorded, in order. */
  clickIds: string[];
}

/** Frozen (deeply): evolve never changes a state, it returns a new one. */
export const initialVisitorState: VisitorState = deepFreeze({ clickIds: [] });
