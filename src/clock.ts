// One clock for the whole service. Entry points pass `systemClock`; tests pass one they set and
// move. Nothing below an entry point reads the time any other way, so the suite gives the same
// answers on any date and at any hour.
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
