import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createEmulatorCore, type EmulatorCore } from './core/emulator-core.js';
import { ensureEmulatorTls, type EmulatorTls } from './core/tls.js';
import { startGoogleEmulator, type GoogleEmulatorHandle } from './google/google-emulator.js';
import { startMicrosoftEmulator, type MicrosoftEmulatorHandle } from './microsoft/microsoft-emulator.js';
import type { EmulatorLogger } from './types.js';

export interface StartEmulatorsOptions {
  /** Folder for the CA/certificate and (with `persist`) the sandbox state; none = all in memory. */
  dataDir?: string;
  /** Keep accounts and events in `<dataDir>/emulators/state.json` across restarts. */
  persist?: boolean;
  host?: string;
  microsoftPort?: number;
  /** Port of the Microsoft emulator's plain-HTTP browser pages (`browserOrigin`); 0 = any. */
  microsoftBrowserPort?: number;
  googlePort?: number;
  /** Seed sandbox accounts on an empty state (default true). */
  seed?: boolean;
  logger?: EmulatorLogger;
}

export interface Emulators {
  core: EmulatorCore;
  tls: EmulatorTls;
  /** PEM of the CA the Microsoft emulator's certificate chains to; trust it for provider calls only. */
  caCertPem: string;
  microsoft: MicrosoftEmulatorHandle;
  google: GoogleEmulatorHandle;
  stop(): Promise<void>;
}

/**
 * Starts the Microsoft (HTTPS) and Google emulators in this process. Used by tests, benchmarks and
 * the hub's sandbox mode; `npm run emulators` runs it standalone.
 */
export async function startEmulators(opts: StartEmulatorsOptions = {}): Promise<Emulators> {
  const core = createEmulatorCore();
  const emulatorDir = opts.dataDir ? path.join(opts.dataDir, 'emulators') : undefined;
  const tls = await ensureEmulatorTls(emulatorDir ? path.join(emulatorDir, 'tls') : undefined);
  const stateFile = opts.persist && emulatorDir ? path.join(emulatorDir, 'state.json') : undefined;
  const saved = stateFile && existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, 'utf8')) as { microsoft?: unknown; google?: unknown }) : {};

  let timer: NodeJS.Timeout | undefined;
  // Filled once both emulators run; state changes before that are saved by the first later save.
  const live: { microsoft?: MicrosoftEmulatorHandle; google?: GoogleEmulatorHandle } = {};
  const save = () => {
    if (!stateFile || !live.microsoft || !live.google) return;
    mkdirSync(path.dirname(stateFile), { recursive: true });
    const tmp = `${stateFile}.tmp`;
    writeFileSync(tmp, JSON.stringify({ microsoft: live.microsoft.exportState(), google: live.google.exportState() }));
    renameSync(tmp, stateFile);
  };
  const onStateChange = stateFile
    ? () => {
        clearTimeout(timer);
        timer = setTimeout(save, 250);
      }
    : undefined;

  const common = { core, tls, host: opts.host ?? '127.0.0.1', seed: opts.seed ?? true, logger: opts.logger, onStateChange };
  const microsoft = await startMicrosoftEmulator({ ...common, port: opts.microsoftPort ?? 0, browserPort: opts.microsoftBrowserPort ?? 0, initialState: saved.microsoft });
  const google = await startGoogleEmulator({ ...common, port: opts.googlePort ?? 0, initialState: saved.google });
  Object.assign(live, { microsoft, google });

  return {
    core,
    tls,
    caCertPem: tls.caCertPem,
    microsoft,
    google,
    async stop() {
      clearTimeout(timer);
      save();
      await Promise.all([microsoft.close(), google.close()]);
    },
  };
}
