/**
 * A subscription narrowed further than its tenant scope (e.g. to one connection): keeps only the
 * events `keep` accepts. Ending it (graphql-ws unsubscribe, `for await … break`) ends the source,
 * and with it the source's transport listener.
 */
export function filterEvents<T>(source: AsyncIterableIterator<T>, keep: (event: T) => boolean): AsyncIterableIterator<T> {
  const iterator: AsyncIterableIterator<T> = {
    async next() {
      for (;;) {
        const result = await source.next();
        if (result.done || keep(result.value)) return result;
      }
    },
    return: () => source.return?.() ?? Promise.resolve({ value: undefined, done: true }),
    throw: (error?: unknown) => source.throw?.(error) ?? Promise.reject(error),
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
