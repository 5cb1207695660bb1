// Downloads a file from /api/fs/download with fetch streaming, reporting progress, and resumes from the
// bytes already received with an HTTP Range request when the connection breaks (phones change networks).
import { errorFrom, type ApiClient } from '../../api/api-client';

export interface DownloadProgress {
  received: number;
  /** Total size when the bridge said (Content-Length / Content-Range); null for size-less files. */
  total: number | null;
}

const MAX_RESUMES = 5;

function totalFrom(response: Response, offset: number): number | null {
  const range = response.headers.get('content-range');
  const fromRange = range ? /\/(\d+)$/.exec(range)?.[1] : undefined;
  if (fromRange) return Number(fromRange);
  const length = response.headers.get('content-length');
  return length ? offset + Number(length) : null;
}

export async function downloadFile(
  api: ApiClient,
  url: string,
  onProgress: (progress: DownloadProgress) => void,
  signal?: AbortSignal,
): Promise<Blob> {
  const parts: Uint8Array[] = [];
  let received = 0;
  let total: number | null = null;
  for (let attempt = 0; ; attempt += 1) {
    const headers: Record<string, string> = received > 0 ? { Range: `bytes=${received}-` } : {};
    let response: Response;
    try {
      response = await api.fetch(url, { headers, signal });
    } catch (error) {
      if (signal?.aborted || attempt >= MAX_RESUMES) throw error;
      await new Promise((r) => setTimeout(r, 500 * (attempt + 1)));
      continue;
    }
    if (!response.ok) throw await errorFrom(response);
    if (received > 0 && response.status !== 206) {
      // The bridge ignored the range (a size-less file): start over rather than duplicate bytes.
      parts.length = 0;
      received = 0;
    }
    total = totalFrom(response, received) ?? total;
    onProgress({ received, total });
    const reader = response.body!.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parts.push(value);
        received += value.byteLength;
        onProgress({ received, total });
      }
    } catch (error) {
      if (signal?.aborted || attempt >= MAX_RESUMES || total === null) throw error;
      continue;
    }
    if (total === null || received >= total) break;
    // The stream ended early without an error: ask for the rest.
    if (attempt >= MAX_RESUMES) throw new Error(`The download stopped at ${received} of ${total} bytes.`);
  }
  return new Blob(parts as BlobPart[], { type: 'application/octet-stream' });
}
