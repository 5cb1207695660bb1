// The HTTP side of the bridge: JSON requests with the bearer token, errors turned into ApiError carrying
// the API's own `detail`, and the owner's user_id added where the API wants one. Every operation is an
// entry of the endpoint table (bridge/contracts/endpoints.ts): no path is written here or in the views.
import { endpointUrl, namesUser, type EndpointAnswer, type EndpointRequest, type EndpointSpec } from '../../../bridge/contracts/endpoint';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'ApiError';
  }
}

/**
 * A GET that the network dropped before any answer is sent again after these pauses. Chromium fails requests
 * in flight with ERR_NETWORK_CHANGED when the device's addresses change: a phone moving between Wi-Fi and
 * cellular, or the workstation itself when Docker adds a user's VPN network (the desktop window). Only reads
 * are repeated; a write may have arrived, and the live state tells what it did.
 */
export const READ_RETRY_DELAYS_MS = [250, 1000];

export interface ApiClientOptions {
  token: string;
  /** Set for the owner: added as user_id to queries and bodies. A device's user is its token's. */
  userId: string | null;
  /** A 401 means the token is gone (revoked device): the app signs out. */
  onUnauthorized(detail: string): void;
}

/** Reads `{detail}` from an error answer, falling back to the status text. */
export async function errorFrom(response: Response): Promise<ApiError> {
  let detail = `${response.status} ${response.statusText}`.trim();
  try {
    const body = (await response.json()) as { detail?: unknown };
    if (typeof body.detail === 'string' && body.detail) detail = body.detail;
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(response.status, detail);
}

export const UNREACHABLE = 'Cannot reach the bridge. Check that Vigilink is running on your workstation and that this device is on the same network.';

export interface CallOptions {
  headers?: Record<string, string>;
  /** An owner's question about every user (the device list): no user_id is added. */
  allUsers?: boolean;
}

/** The request may be left out when none of its parts is required. */
type CallArgs<E extends EndpointSpec> = object extends EndpointRequest<E>
  ? [request?: EndpointRequest<E>, options?: CallOptions]
  : [request: EndpointRequest<E>, options?: CallOptions];

export class ApiClient {
  constructor(private readonly options: ApiClientOptions) {}

  get token(): string {
    return this.options.token;
  }

  get userId(): string | null {
    return this.options.userId;
  }

  /**
   * One operation of the endpoint table, its answer typed by the endpoint's response schema. For the owner,
   * user_id is added to the query or body where the endpoint's schema names one (a device's user is its
   * token's), unless the request names it itself or `allUsers` asks about every user.
   */
  call<E extends EndpointSpec>(endpoint: E, ...[request, options]: CallArgs<E>): Promise<EndpointAnswer<E>> {
    const { params, query, body } = (request ?? {}) as { params?: object; query?: object; body?: object };
    const allUsers = options?.allUsers ?? false;
    const url = endpointUrl(endpoint, { params, query: this.forUser(query, endpoint.query, allUsers) });
    const sendsBody = endpoint.method === 'post' || endpoint.method === 'put' || endpoint.method === 'patch';
    return this.request(endpoint.method.toUpperCase(), url, sendsBody ? (this.forUser(body, endpoint.body, allUsers) ?? {}) : undefined, options?.headers) as Promise<EndpointAnswer<E>>;
  }

  /** The URL of an operation that answers no JSON (a download, a tus upload), user_id added as `call` does. */
  url<E extends EndpointSpec>(endpoint: E, request: Pick<EndpointRequest<E>, 'params' | 'query'>): string {
    const { params, query } = request as { params?: object; query?: object };
    return endpointUrl(endpoint, { params, query: this.forUser(query, endpoint.query, false) });
  }

  /** The owner's user_id added to a query or body whose schema names one (a name the request gives wins). */
  private forUser(part: object | undefined, schema: EndpointSpec['query'], allUsers: boolean): object | undefined {
    return this.options.userId && !allUsers && namesUser(schema) ? { user_id: this.options.userId, ...part } : part;
  }

  /** A raw fetch with the token (streaming downloads). */
  fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('Authorization', `Bearer ${this.options.token}`);
    return fetch(path, { ...init, headers });
  }

  private async request(method: string, path: string, body?: object, headers: Record<string, string> = {}): Promise<unknown> {
    const send = () =>
      this.fetch(path, {
        method,
        headers: body ? { 'Content-Type': 'application/json', ...headers } : headers,
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    const response = await sendRetryingReads(method, send);
    if (!response.ok) {
      const error = await errorFrom(response);
      if (response.status === 401) this.options.onUnauthorized(error.detail);
      throw error;
    }
    return response.json();
  }
}

/** fetch's own failure (no answer at all) is ApiError 0; a GET gets READ_RETRY_DELAYS_MS more tries first. */
async function sendRetryingReads(method: string, send: () => Promise<Response>): Promise<Response> {
  const delays = method === 'GET' ? READ_RETRY_DELAYS_MS : [];
  for (let attempt = 0; ; attempt++) {
    try {
      return await send();
    } catch {
      if (attempt >= delays.length) throw new ApiError(0, UNREACHABLE);
      await new Promise((resolve) => setTimeout(resolve, delays[attempt]));
    }
  }
}
