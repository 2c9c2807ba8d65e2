import { EmulatorClock } from './clock.js';
import { RequestCounters } from './counters.js';
import { FaultInjector } from './faults.js';

/** What both emulators share: one clock, one fault registry, one set of counters. */
export interface EmulatorCore {
  clock: EmulatorClock;
  faults: FaultInjector;
  counters: RequestCounters;
}

export function createEmulatorCore(): EmulatorCore {
  return { clock: new EmulatorClock(), faults: new FaultInjector(), counters: new RequestCounters() };
}
