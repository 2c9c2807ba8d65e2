import { existsSync, rmSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Db } from 'mongodb';
import { buildHubSchema } from './api/build-schema.js';
import { WebhookData } from './api/webhooks/webhook-data.js';
import type { ApiServices } from './api/context.js';
import { createConnectionServices, type ConnectionServices } from './connections/connection-services.js';
import { unreadableTokenKeyIds } from './connections/sealed-tokens-check.js';
import { StartRefusedError } from './domain/errors.js';
import { createPubSub } from './events/create-pubsub.js';
import type { HubPubSub } from './events/hub-pubsub.js';
import type { HubConfig } from './config.js';
import { createHttpServer, type HttpServer, type RouteRegistrar } from './http/http-server.js';
import { oauthRoutes } from './http/oauth.routes.js';
import { pushRoutes } from './http/push.routes.js';
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
import { createPushServices, type PushServices } from './push/push-services.js';
import { pushEnabledFor } from './push/push-settings.js';
import type { RetryPolicy } from './providers/retry-policy.js';
import { announceSandbox, startSandboxProviders, type SandboxProviders } from './sandbox/sandbox-providers.js';
import { embeddedKeyFile, loadEncryptionKeys } from './security/encryption-keys.js';
import { TokenVault } from './security/token-vault.js';
import { mongoDbOf } from './store/mongo-db.js';
import { createOrm, pingDatabase, prepareSchema, type Orm } from './store/orm.js';
import { bootstrapEmbeddedStore, type BootstrapResult } from './tenancy/embedded-bootstrap.service.js';
import { createSyncServices, type SyncServices } from './sync/sync-services.js';
import { createTenancyServices } from './tenancy/tenancy-services.js';
import { createWebhookServices, type WebhookOptions, type WebhookServices } from './webhooks/webhook-services.js';

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
  /** Push in: how long after a run it may be judged for changes push did not announce (tests shorten it). */
  push?: { settleMs?: number };
  /** Webhooks out: retry waits, attempt timeout, host name resolution (tests shorten and point them). */
  webhooks?: WebhookOptions;
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
  /** Push notifications in: provider channels, notification verification, coalesced PUSH runs. */
  push: PushServices;
  /** Webhooks out: endpoints, the dispatcher from events to deliveries, the delivery job. */
  webhooks: WebhookServices;
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
 * Sealed link tokens that no configured key opens mean the token key was lost or replaced: refuse
 * to start, saying what to restore, rather than fail every link later. A key file generated by this
 * very start is removed again, so restoring the old one is a plain copy.
 */
async function refuseUnreadableTokens(deps: { orm: Orm; vault: TokenVault; tokenKeyFile: string | null; tokenKeyFileExisted: string | null }): Promise<void> {
  const kids = await unreadableTokenKeyIds(deps);
  if (kids.length === 0) return;
  const sealedWith = `The database holds calendar tokens sealed with key ${kids.map((k) => `"${k}"`).join(', ')}, which none of the configured keys opens`;
  if (deps.tokenKeyFile === null) {
    throw new StartRefusedError(`${sealedWith}. Set HUB_ENCRYPTION_KEYS to include the key(s) in use when the tokens were sealed (kid:base64key, comma-separated; the first one encrypts) and start again.`);
  }
  if (deps.tokenKeyFileExisted === null) rmSync(deps.tokenKeyFile, { force: true });
  throw new StartRefusedError(
    `${sealedWith}: the token key file was lost or replaced. Restore ${deps.tokenKeyFile} from the backup taken with the database (or set HUB_ENCRYPTION_KEYS to the keys in use when the tokens were sealed) and start again.`,
  );
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
    const keySource = { encryptionKeys: config.encryptionKeys, database: config.database, dataDir: config.dataDir };
    const tokenKeyFile = embeddedKeyFile(keySource);
    const tokenKeyFileExisted = tokenKeyFile !== null && existsSync(tokenKeyFile) ? tokenKeyFile : null;
    const vault = new TokenVault(loadEncryptionKeys({ ...keySource, logger }));

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

    await refuseUnreadableTokens({ orm, vault, tokenKeyFile, tokenKeyFileExisted });

    const mongoDb = config.database.kind === 'mongodb' ? await mongoDbOf(orm) : undefined;
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
    const push = createPushServices({
      orm,
      agenda: scheduler.agenda,
      logger,
      connections,
      sync,
      primaryMoves: linking.calendarRoles,
      publicUrl: () => publicUrl.get(),
      enabledFor: (slug) => pushEnabledFor(config, providers, slug),
      checkIntervalMs: config.push.checkIntervalMs,
      ...overrides.push,
    });
    const webhooks = createWebhookServices({
      config,
      orm,
      agenda: scheduler.agenda,
      vault,
      feed: pubsub.transport,
      sync,
      logger,
      ...overrides.webhooks,
    });
    const jobs = new JobRegistry().add(...linking.jobDefinitions, ...sync.jobDefinitions, ...push.jobDefinitions, ...webhooks.jobDefinitions);

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
      webhooks: webhooks.endpoints,
      icsFeeds,
      availability: new AvailabilityService({ orm, logger: logger.child({ component: 'availability' }) }),
    };

    const bootstrap = await bootstrapEmbeddedStore({ orm, config, tokenKeyFileExisted });

    const schema = await buildHubSchema({ pubsub });
    // A webhook's data is what the matching GraphQL subscription delivers, built by the schema's resolvers.
    const webhookData = new WebhookData({ schema, services, pubsub, logger: logger.child({ component: 'webhooks' }) });
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
      routes: [oauthRoutes({ linkFlow: linking.linkFlow }), pushRoutes({ notifications: push.notifications, logger }), icsRoutes({ icsFeeds }), consoleRoutes(), ...(overrides.routes ?? [])],
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
      push,
      webhooks,
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
        webhooks.dispatcher.start((source, payload) => webhookData.build(source, payload));
        await scheduler.start();
        if (config.jobs.enabled) {
          // Every ACTIVE link has its jobs, also one whose jobs were lost (a crash while they were rescheduled).
          await connections.jobs.reconcile();
          await sync.scheduler.scheduleHousekeeping();
          // A revoke a dead process left half done is finished; provider calls may be slow, so not awaited.
          void linking.linkRevocation.finishInterrupted().catch((err: unknown) => logger.error({ err }, 'finishing interrupted revocations failed'));
        }
        return { url, port };
      },
      close() {
        closing ??= (async () => {
          const graceMs = config.shutdownGraceMs;
          logger.info({ graceMs }, 'shutting down');
          // HTTP first (in-flight requests may still need jobs and the database), then jobs
          // (running ones get the grace period), then subscriptions' transport, then the database.
          await http.close(graceMs);
          await webhooks.dispatcher.stop();
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
