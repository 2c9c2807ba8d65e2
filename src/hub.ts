import type { FastifyInstance } from 'fastify';
import type { Db } from 'mongodb';
import { buildHubSchema } from './api/build-schema.js';
import type { ApiServices } from './api/context.js';
import { createConnectionServices, type ConnectionServices } from './connections/connection-services.js';
import { createPubSub } from './events/create-pubsub.js';
import type { HubPubSub } from './events/hub-pubsub.js';
import type { HubConfig } from './config.js';
import { createHttpServer, type HttpServer, type RouteRegistrar } from './http/http-server.js';
import { oauthRoutes } from './http/oauth.routes.js';
import { icsRoutes } from './http/ics.routes.js';
import { consoleRoutes } from './http/console.routes.js';
import { IcsFeedService } from './ics/ics-feed.service.js';
import { AvailabilityService } from './availability/availability.service.js';
import { BusyCache } from './availability/busy-cache.service.js';
import { JobRegistry } from './jobs/define-job.js';
import { createJobScheduler, type JobScheduler } from './jobs/job-scheduler.js';
import type { Clock } from './linking/link-flow.service.js';
import { createLinkingServices, type LinkingServices } from './linking/linking-services.js';
import { PublicUrl } from './linking/public-url.js';
import { createLogger, type Logger } from './logger.js';
import { buildProviderRegistry, closeProviderRegistry, planProviders, type ProviderRegistry, type SandboxProviderSettings } from './providers/registry.js';
import type { RetryPolicy } from './providers/retry-policy.js';
import { announceSandbox, startSandboxProviders, type SandboxProviders } from './sandbox/sandbox-providers.js';
import { loadEncryptionKeys } from './security/encryption-keys.js';
import { TokenVault } from './security/token-vault.js';
import { mongoDbOf } from './store/mongo-db.js';
import { createOrm, pingDatabase, prepareSchema, type Orm } from './store/orm.js';
import { bootstrapEmbeddedStore, type BootstrapResult } from './tenancy/embedded-bootstrap.service.js';
import { createSyncServices, type SyncServices } from './sync/sync-services.js';
import { createTenancyServices } from './tenancy/tenancy-services.js';

export interface HubOverrides {
  /** Defaults to a pino logger at `config.logLevel` on stdout. */
  logger?: Logger;
  /** Extra HTTP routes (OAuth callbacks, webhooks…), registered after /graphql and the health routes. */
  routes?: RouteRegistrar[];
  /** Calendar linking: the clock of sign-in link expiry (tests move it). */
  linking?: { clock?: Clock };
  /** Link health: the connection guard's retry policy (tests shorten it). */
  connections?: { guardRetry?: Partial<RetryPolicy> };
  /**
   * Provider settings to use instead of the built-in sandbox's: emulators run by another process
   * (tests that kill and restart hub processes keep the provider side alive). Use with
   * SANDBOX_PROVIDERS=off.
   */
  providerSettings?: SandboxProviderSettings;
}

export interface Hub {
  config: HubConfig;
  logger: Logger;
  orm: Orm;
  /** The MongoClient's `Db` when running on MongoDB (shared by jobs and pubsub). */
  mongoDb: Db | undefined;
  pubsub: HubPubSub;
  scheduler: JobScheduler;
  services: ApiServices;
  http: HttpServer;
  app: FastifyInstance;
  /** Set on the first start of an empty embedded store: the admin key to show once. */
  bootstrap: BootstrapResult | null;
  /** Seals tokens and PKCE verifiers at rest. */
  vault: TokenVault;
  /** The provider modules (credentials or sandbox), or why a provider is unavailable. */
  providers: ProviderRegistry;
  /** The built-in emulators when they stand in for a provider; tests drive their control APIs. */
  sandbox: SandboxProviders | null;
  /** Link health: the connection guard, link notices, a link's jobs. */
  connections: ConnectionServices;
  /** Calendar linking: flow, calendar lists and roles, revoke. */
  linking: LinkingServices;
  /** The sync engine, its scheduler and the services the API uses. */
  sync: SyncServices;
  /** Job definitions applied to the scheduler (features add theirs before `listen()`). */
  jobs: JobRegistry;
  /** PUBLIC_URL, with the listening port once `listen()` resolved PORT=0. */
  publicUrl(): string;
  /** Starts serving HTTP + WebSocket and starts the job scheduler. */
  listen(): Promise<{ url: string; port: number }>;
  /** Graceful shutdown, in dependency order; safe to call twice. */
  close(): Promise<void>;
}

/**
 * The composition root: the one place that knows how store, pubsub, jobs, services, GraphQL and
 * HTTP fit together. The database URL alone picks the mode — SQLite (embedded: in-process pubsub,
 * the hub's SQLite Agenda backend) or MongoDB (MikroORM's mongo driver, Agenda's mongo backend and
 * the MongoDB pubsub transport, all on the one MongoClient). Nothing runs in the background until
 * `listen()`.
 */
export async function createHub(config: HubConfig, overrides: HubOverrides = {}): Promise<Hub> {
  const logger = overrides.logger ?? createLogger({ level: config.logLevel });
  const cleanups: (() => Promise<void>)[] = [];
  const unwind = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err: unknown) => logger.error({ err }, 'cleanup after a failed start failed'));
  };

  try {
    // First, so a missing or invalid HUB_ENCRYPTION_KEYS stops the start before anything opens.
    const vault = new TokenVault(loadEncryptionKeys({ encryptionKeys: config.encryptionKeys, database: config.database, dataDir: config.dataDir, logger }));

    // The sandbox emulators start while the store opens (they are independent and take a while).
    const sandboxStarting = startSandboxProviders({ config, logger });
    sandboxStarting.catch(() => undefined); // awaited below; this only keeps an early failure from counting as unhandled
    cleanups.push(async () => {
      const started = await sandboxStarting.catch(() => null);
      await started?.close();
    });

    const orm = await createOrm(config.database, logger);
    cleanups.push(() => orm.close(true));
    await prepareSchema(orm, config.database);

    const mongoDb = config.database.kind === 'mongodb' ? mongoDbOf(orm) : undefined;
    const pubsub = createPubSub(mongoDb ? { kind: 'mongodb', db: mongoDb } : { kind: 'in-process' }, logger);
    cleanups.push(() => pubsub.close());

    const scheduler = await createJobScheduler({ config, logger, ...(mongoDb ? { mongoDb } : {}) });
    cleanups.push(() => scheduler.stop(0));

    const sandbox = await sandboxStarting;
    const providers = buildProviderRegistry(planProviders(config, overrides.providerSettings ?? sandbox?.settings ?? {}), { logger });
    cleanups.push(() => closeProviderRegistry(providers, logger));
    const publicUrl = new PublicUrl(config.publicUrl);
    const connections = createConnectionServices({ orm, pubsub, logger, vault, providers, agenda: scheduler.agenda, ...overrides.connections });
    const busyCache = new BusyCache({ orm, logger: logger.child({ component: 'availability' }) });
    const sync = createSyncServices({ orm, pubsub, logger, agenda: scheduler.agenda, connections, config: config.sync, observer: busyCache });
    const linking = createLinkingServices({
      orm,
      logger,
      vault,
      providers,
      publicUrl,
      connections,
      sync,
      refreshIntervalMs: config.linking.refreshIntervalMs,
      ...overrides.linking,
    });
    const jobs = new JobRegistry().add(...linking.jobDefinitions, ...sync.jobDefinitions);

    const icsFeeds = new IcsFeedService({ orm, logger: logger.child({ component: 'ics' }), publicUrl: () => publicUrl.get() });
    const services: ApiServices = {
      ...createTenancyServices({ orm, pubsub, logger }),
      linkFlow: linking.linkFlow,
      connections: linking.connections,
      calendarLists: linking.calendarLists,
      calendarRoles: linking.calendarRoles,
      linkRevocation: linking.linkRevocation,
      appointments: sync.appointments,
      sync: sync.sync,
      icsFeeds,
      availability: new AvailabilityService({ orm, logger: logger.child({ component: 'availability' }) }),
    };

    const bootstrap = await bootstrapEmbeddedStore({ orm, config });

    const schema = await buildHubSchema({ pubsub });
    const http = await createHttpServer({
      config,
      logger,
      schema,
      services,
      pubsub,
      readiness: [
        { name: 'database', check: () => pingDatabase(orm, config.database) },
        { name: 'jobs', check: () => scheduler.ping() },
        { name: 'subscriptions', check: () => pubsub.ping() },
      ],
      // Feature routes (OAuth callbacks, webhooks, feeds) are appended here as they arrive.
      routes: [oauthRoutes({ linkFlow: linking.linkFlow }), icsRoutes({ icsFeeds }), consoleRoutes(), ...(overrides.routes ?? [])],
    });
    cleanups.push(() => http.close(0));

    let closing: Promise<void> | null = null;
    return {
      config,
      logger,
      orm,
      mongoDb,
      pubsub,
      scheduler,
      services,
      http,
      app: http.app,
      bootstrap,
      vault,
      providers,
      sandbox,
      connections,
      sync,
      linking,
      jobs,
      publicUrl: () => publicUrl.get(),
      async listen() {
        const { url, port } = await http.listen();
        // Redirect URIs exist only now that the port is known (PORT=0); the sandbox registers them before any sign-in.
        publicUrl.resolveListeningPort(port);
        if (sandbox) {
          sandbox.registerRedirectUris((slug) => publicUrl.redirectUri(slug));
          announceSandbox(sandbox, logger);
        }
        jobs.applyTo(scheduler.agenda);
        await scheduler.start();
        // Every ACTIVE link polls, also one whose poll job was lost (a crash while it was rescheduled).
        if (config.jobs.enabled) await sync.scheduler.reconcile();
        return { url, port };
      },
      close() {
        closing ??= (async () => {
          const graceMs = config.shutdownGraceMs;
          logger.info({ graceMs }, 'shutting down');
          // HTTP first (in-flight requests may still need jobs and the database), then jobs
          // (running ones get the grace period), then subscriptions' transport, then the database.
          await http.close(graceMs);
          await scheduler.stop(graceMs);
          await closeProviderRegistry(providers, logger);
          await sandbox?.close();
          await pubsub.close();
          await orm.close(true);
          logger.info('shut down');
        })();
        return closing;
      },
    };
  } catch (err) {
    await unwind();
    throw err;
  }
}
