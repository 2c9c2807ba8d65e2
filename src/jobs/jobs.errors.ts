/** A job name was registered twice: two handlers would race for the same Agenda definition. */
export class DuplicateJobError extends Error {
  readonly code = 'JOB_ALREADY_DEFINED';
  constructor(readonly jobName: string) {
    super(`job "${jobName}" is already defined`);
    this.name = 'DuplicateJobError';
  }
}

export const isDuplicateJobError = (e: unknown): e is DuplicateJobError => e instanceof DuplicateJobError;

/** The MongoDB mode needs the `Db` of the hub's MongoDB connection to store jobs. */
export class JobBackendConfigError extends Error {
  readonly code = 'JOB_BACKEND_CONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'JobBackendConfigError';
  }
}

export const isJobBackendConfigError = (e: unknown): e is JobBackendConfigError => e instanceof JobBackendConfigError;
