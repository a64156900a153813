import { type Decider, deepFreeze, type DomainError, fold, type NotFoundError, type RuleViolationError } from '#domain';

/**
 * Given/when/then for a decider's pure tests: `given(history).when(command).then(events)` or
 * `.thenThrows(ErrorClass, reason, field?)`. State and command are frozen, so deciding must not
 * change them; decided events must be JSON and fold onto the history.
 */
export function givenFor<C extends object, E extends object, S extends object>(decider: Decider<C, E, S>) {
  return function given(events: E[]) {
    return {
      when(command: C) {
        const decide = () => decider.decide(deepFreeze(command), deepFreeze(fold(decider, structuredClone(events))));
        return {
          then(expected: E[]): E[] {
            const produced = decide();
            expect(produced).toStrictEqual(expected);
            // Event data is JSON: it survives a round trip unchanged (no undefined, Date, NaN...).
            expect(JSON.parse(JSON.stringify(produced))).toStrictEqual(produced);
            expect(() => fold(decider, [...events, ...produced])).not.toThrow();
            return produced;
          },
          thenThrows(errorClass: typeof NotFoundError | typeof RuleViolationError, reason: string, field?: string): void {
            let error: unknown;
            try {
              decide();
            } catch (caught) {
              error = caught;
            }
            expect(error).toBeInstanceOf(errorClass);
            expect((error as DomainError).reason).toBe(reason);
            if (field !== undefined) expect((error as DomainError).field).toBe(field);
          },
        };
      },
    };
  };
}
