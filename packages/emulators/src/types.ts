import type { EmulatorCore } from './core/emulator-core.js';
import type { EmulatorTls } from './core/tls.js';

/**
 * Where the emulators report what a caller may want to know (failed webhook deliveries, unexpected
 * route errors): the structured subset of pino's logger they use, so the hub passes its own logger.
 */
export interface EmulatorLogger {
  debug(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** What `startEmulators` gives each provider's emulator. */
export interface EmulatorStartOptions {
  core: EmulatorCore;
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Certificate for HTTPS (required by the Microsoft emulator; the Google one serves plain http). */
  tls: EmulatorTls;
  /** State previously returned by `exportState()` (sandbox persistence). */
  initialState?: unknown;
  /** Called after every change of state, so the caller can persist it (debounced by the caller). */
  onStateChange?: () => void;
  /** Seed the sandbox accounts when there is no initial state (default true). */
  seed?: boolean;
  logger?: EmulatorLogger;
}

/** A sandbox account as the control API reports it. */
export interface EmulatorAccount {
  id: string;
  email: string;
  displayName: string;
  /** Calendar ids, the default/primary one first. */
  calendarIds: string[];
  /** Set when the account has no calendar an app can reach, and why (a Microsoft account without a mailbox). */
  calendarUnavailable?: string;
}

/** The common part of both emulators' handles. */
export interface EmulatorHandle {
  /** `https://127.0.0.1:<port>` (Microsoft) or `http://127.0.0.1:<port>` (Google). */
  origin: string;
  /** Every state change of the emulator, for persistence. */
  exportState(): unknown;
  listAccounts(): EmulatorAccount[];
  /** The sandbox web page where a person plays the provider side for one account. */
  sandboxUrl(accountId: string): string;
  close(): Promise<void>;
}
