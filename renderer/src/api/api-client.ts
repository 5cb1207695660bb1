// The HTTP side of the bridge: JSON requests with the bearer token, errors turned into ApiError carrying
// the API's own `detail`, and the owner's user_id added where the API wants one.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'ApiError';
  }
}

export type Query = Record<string, string | number | boolean | undefined>;

export interface ApiClientOptions {
  token: string;
  /** Set for the owner: added as user_id to queries and bodies. A device's user is its token's. */
  userId: string | null;
  /** A 401 means the token is gone (revoked device): the app signs out. */
  onUnauthorized(detail: string): void;
}

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
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

export class ApiClient {
  constructor(private readonly options: ApiClientOptions) {}

  get token(): string {
    return this.options.token;
  }

  get userId(): string | null {
    return this.options.userId;
  }

  /** The query with user_id added for the owner. */
  userQuery(query: Query = {}): Query {
    return this.options.userId ? { user_id: this.options.userId, ...query } : query;
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>('GET', withQuery(path, this.userQuery(query)));
  }

  post<T>(path: string, body: object = {}, query?: Query): Promise<T> {
    const withUser = this.options.userId ? { user_id: this.options.userId, ...body } : body;
    return this.request<T>('POST', withQuery(path, query), withUser);
  }

  /** POST without user_id (owner-level calls such as pairing offers take the user in their own field). */
  postRaw<T>(path: string, body: object = {}): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  getRaw<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>('GET', withQuery(path, query));
  }

  delete<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>('DELETE', withQuery(path, query));
  }

  put<T>(path: string, body: object = {}, query?: Query, headers: Record<string, string> = {}): Promise<T> {
    const withUser = this.options.userId ? { user_id: this.options.userId, ...body } : body;
    return this.request<T>('PUT', withQuery(path, query), withUser, headers);
  }

  /** A raw fetch with the token (streaming downloads). */
  fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('Authorization', `Bearer ${this.options.token}`);
    return fetch(path, { ...init, headers });
  }

  private async request<T>(method: string, path: string, body?: object, headers: Record<string, string> = {}): Promise<T> {
    let response: Response;
    try {
      response = await this.fetch(path, {
        method,
        headers: body ? { 'Content-Type': 'application/json', ...headers } : headers,
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    } catch {
      throw new ApiError(0, UNREACHABLE);
    }
    if (!response.ok) {
      const error = await errorFrom(response);
      if (response.status === 401) this.options.onUnauthorized(error.detail);
      throw error;
    }
    return (await response.json()) as T;
  }
}
