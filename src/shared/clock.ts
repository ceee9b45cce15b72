/** Time is injected everywhere so rules and tests never depend on the wall clock directly. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
