import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { createCaFetch, type CaFetch, type CaFetchOptions } from './graph-fetch.js';

/**
 * An MSAL `system.networkClient` (msal-node 7: `sendGetRequestAsync(url, options, timeout)` and
 * `sendPostRequestAsync(url, options)` resolving `{headers, body, status}` with the JSON body
 * parsed, as msal-node's own HttpClient does) that trusts the emulator CA for MSAL's calls only.
 * Without a CA it behaves like MSAL's default client (system trust store).
 */
export interface MsalNetworkClient extends INetworkModule {
  close(): void;
}

export function createMsalNetworkClient(opts: CaFetchOptions = {}): MsalNetworkClient {
  const fetchFn: CaFetch = createCaFetch(opts);

  const send = async <T>(url: string, method: 'GET' | 'POST', options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> => {
    const response = await fetchFn(url, {
      method,
      headers: options?.headers,
      ...(method === 'POST' ? { body: options?.body ?? '' } : {}),
      ...(timeout ? { signal: AbortSignal.timeout(timeout) } : {}),
    });
    const text = await response.text();
    let body: T;
    try {
      body = (text === '' ? {} : JSON.parse(text)) as T;
    } catch {
      throw new Error(`Failed to parse response from ${new URL(url).origin}: HTTP ${response.status}`);
    }
    const headers: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      headers[key] = value;
    });
    return { headers, body, status: response.status };
  };

  return {
    sendGetRequestAsync: <T>(url: string, options?: NetworkRequestOptions, timeout?: number) => send<T>(url, 'GET', options, timeout),
    sendPostRequestAsync: <T>(url: string, options?: NetworkRequestOptions) => send<T>(url, 'POST', options),
    close: () => fetchFn.close(),
  };
}
