import path from 'node:path';
import type { AgendaBackend } from 'agenda';
import { SqliteBackend } from '../../../src/jobs/backends/sqlite-backend.js';
import { tempDir } from '../../helpers/jobs-helpers.js';
import { jobBackendContract } from './backend-contract.js';

// A file, not :memory:, so that several backend instances (connections) share one store.
jobBackendContract('SQLite backend', async () => {
  const { dir, cleanup } = tempDir();
  const file = path.join(dir, 'hub.db');
  const opened: AgendaBackend[] = [];
  return {
    async open() {
      const backend = new SqliteBackend({ file });
      await backend.connect();
      opened.push(backend);
      return backend;
    },
    async dispose() {
      for (const backend of opened) await backend.disconnect();
      cleanup();
    },
  };
});
