import { EmulatorClock } from './clock.js';
import { RequestCounters } from './counters.js';
import { FaultInjector } from './faults.js';
import { RequestJournal } from './journal.js';

/** What both emulators share: one clock, one fault registry, one set of counters, one request journal. */
export interface EmulatorCore {
  clock: EmulatorClock;
  faults: FaultInjector;
  counters: RequestCounters;
  journal: RequestJournal;
}

export function createEmulatorCore(): EmulatorCore {
  return { clock: new EmulatorClock(), faults: new FaultInjector(), counters: new RequestCounters(), journal: new RequestJournal() };
}
