import type { Agenda } from 'agenda';
import type { EventPublisher } from '../events/event-publisher.js';
import type { Logger } from '../logger.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { RetryPolicy } from '../providers/retry-policy.js';
import type { TokenVault } from '../security/token-vault.js';
import type { Orm } from '../store/orm.js';
import { ConnectionGuard } from './connection-guard.js';
import { LinkJobs } from './link-jobs.js';
import { LinkNotices } from './link-notices.service.js';

/** Link health, shared by linking and the sync engine (a layer below both). */
export interface ConnectionServices {
  /** Wraps every provider call made for a link: link state, notices and retries in one place. */
  guard: ConnectionGuard;
  /** A link's jobs: features register starters; stopped when a link needs re-authorisation or is revoked. */
  jobs: LinkJobs;
  /** Status changes and RELINK_REQUIRED notices. */
  notices: LinkNotices;
}

export interface ConnectionDeps {
  orm: Orm;
  pubsub: EventPublisher;
  logger: Logger;
  vault: TokenVault;
  providers: ProviderRegistry;
  agenda: Agenda;
  /** The guard's retry of whole operations (tests shorten it). */
  guardRetry?: Partial<RetryPolicy>;
}

export function createConnectionServices(deps: ConnectionDeps): ConnectionServices {
  const logger = deps.logger.child({ component: 'connections' });
  const { orm, vault, providers } = deps;
  const notices = new LinkNotices({ orm, pubsub: deps.pubsub, logger });
  const jobs = new LinkJobs({ orm, agenda: deps.agenda, logger });
  const guard = new ConnectionGuard({ orm, vault, providers, notices, jobs, logger, ...(deps.guardRetry ? { retry: deps.guardRetry } : {}) });
  return { guard, jobs, notices };
}
