/**
 * The public entry of `@calendar-sync-hub/emulators`: local, faithful emulators of Microsoft 365
 * (identity platform v2 + Graph calendar, HTTPS) and Google (OAuth 2.0 + Calendar API v3) for the
 * hub's sandbox, its tests and its benchmarks. Everything a consumer may use is exported here;
 * the modules behind it are the package's own (README.md of this package).
 */

// Both emulators in one call, as the sandbox and `npm run emulators` start them.
export { startEmulators, type Emulators, type StartEmulatorsOptions } from './start-emulators.js';

// One emulator at a time (tests): the shared core (clock, faults, counters) and TLS come first.
export { createEmulatorCore, type EmulatorCore } from './core/emulator-core.js';
export type { JournalEntry } from './core/journal.js';
export { ensureEmulatorTls, type EmulatorTls } from './core/tls.js';
export type { EmulatorAccount, EmulatorHandle, EmulatorLogger, EmulatorStartOptions } from './types.js';

export { startMicrosoftEmulator, type MicrosoftEmulatorHandle, type MicrosoftEmulatorStartOptions } from './microsoft/microsoft-emulator.js';
export type { MicrosoftEmulatorSettings } from './microsoft/microsoft-settings.js';

export { HOLIDAYS_CALENDAR_ID, startGoogleEmulator, type GoogleEmulatorHandle } from './google/google-emulator.js';
export type { GoogleEmulatorSettings } from './google/google-settings.js';
export type { RefreshTokenDeath } from './google/google-state.js';
