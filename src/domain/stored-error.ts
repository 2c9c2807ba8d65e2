/** The last failure kept on a link, a mapping or a run: a stable code, a readable message, an ISO instant. */
export interface StoredError {
  code: string;
  message: string;
  at: string;
}
