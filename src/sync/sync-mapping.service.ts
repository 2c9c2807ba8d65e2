import type { HubId } from '../domain/ids.js';
import { SyncMapping } from '../store/entities/index.js';
import type { Orm } from '../store/orm.js';

/**
 * The one writer of `SyncMapping` rows. Other layers (linking) ask it to change pairs instead of
 * writing the table themselves, so the sync engine's invariants on mappings live in `sync/` only.
 */
export class SyncMappingService {
  constructor(private readonly deps: { orm: Orm }) {}

  /**
   * Closes every open pair of a link: they no longer sync (cleanup, or the link's row was reused
   * for another account); host data is kept. Returns how many pairs were closed.
   */
  closeForConnection(connectionId: HubId<'connection'>, at: Date): Promise<number> {
    return this.deps.orm.em.fork().nativeUpdate(SyncMapping, { connectionId, closedAt: null }, { closedAt: at, updatedAt: at });
  }
}
