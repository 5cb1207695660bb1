// Uploads from this browser with tus-js-client (the reference tus client): one streamed PATCH per file,
// retried from the server's offset when the connection drops, and resumable after a reload (its URL is
// remembered per file and destination).
import { useCallback, useEffect, useRef, useState } from 'react';
import { DetailedError, Upload } from 'tus-js-client';
import { endpoints } from '../../../../bridge/contracts/endpoints';
import type { ApiClient } from '../../api/api-client';

export interface UploadItem {
  id: number;
  name: string;
  /** Where it lands (the folder plus the file's name). */
  path: string;
  sent: number;
  total: number;
  status: 'uploading' | 'done' | 'failed';
  error: string | null;
}

/** Retries after a dropped connection, in ms: each resumes from the offset the bridge reports. */
const RETRY_DELAYS = [0, 1_000, 3_000, 5_000, 10_000];

function uploadError(error: Error): string {
  if (error instanceof DetailedError && error.originalResponse) {
    try {
      const body = JSON.parse(error.originalResponse.getBody()) as { detail?: unknown };
      if (typeof body.detail === 'string') return body.detail;
    } catch {
      // not JSON: fall through
    }
    return `The bridge answered ${error.originalResponse.getStatus()}`;
  }
  return 'The upload stopped: the connection to the workstation is gone.';
}

export function useUploads(api: ApiClient, sessionId: string | undefined, onDone: () => void): { items: UploadItem[]; upload(files: File[], folder: string): void; dismiss(id: number): void } {
  const [items, setItems] = useState<UploadItem[]>([]);
  const running = useRef(new Map<number, Upload>());
  const nextId = useRef(1);

  useEffect(() => {
    const active = running.current;
    return () => {
      for (const upload of active.values()) void upload.abort();
    };
  }, []);

  const update = (id: number, change: Partial<UploadItem>): void => setItems((list) => list.map((item) => (item.id === id ? { ...item, ...change } : item)));

  const upload = useCallback(
    (files: File[], folder: string) => {
      for (const file of files) {
        const id = nextId.current++;
        const path = folder.endsWith('/') ? folder + file.name : `${folder}/${file.name}`;
        setItems((list) => [...list, { id, name: file.name, path, sent: 0, total: file.size, status: 'uploading', error: null }]);
        const tus = new Upload(file, {
          endpoint: api.url(endpoints.files.createUpload, { query: { path, session_id: sessionId } }),
          headers: { Authorization: `Bearer ${api.token}` },
          retryDelays: RETRY_DELAYS,
          removeFingerprintOnSuccess: true,
          metadata: { filename: file.name },
          onProgress: (sent, total) => update(id, { sent, total }),
          onSuccess: () => {
            running.current.delete(id);
            update(id, { status: 'done', sent: file.size });
            onDone();
          },
          onError: (error) => {
            running.current.delete(id);
            update(id, { status: 'failed', error: uploadError(error) });
          },
        });
        running.current.set(id, tus);
        void tus.findPreviousUploads().then((previous) => {
          if (previous[0]) tus.resumeFromPreviousUpload(previous[0]);
          tus.start();
        });
      }
    },
    [api, sessionId, onDone],
  );

  const dismiss = useCallback((id: number) => {
    // Cancelling one still running also removes its temporary file on the workstation.
    void running.current.get(id)?.abort(true);
    running.current.delete(id);
    setItems((list) => list.filter((item) => item.id !== id));
  }, []);

  return { items, upload, dismiss };
}
