// HostPlatform for a plain browser (the phone, or the desktop UI opened through the owner link).

import type { HostPlatform } from './host-platform';
import { showNotification } from './service-worker';

/** Hands a Blob to the browser's own download machinery under `name`. */
export function browserDownload(name: string, blob: Blob): Promise<void> {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  // The browser has taken its own reference by now; a minute is generous for slow phones.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return Promise.resolve();
}

export function webPlatform(): HostPlatform {
  return {
    kind: 'web',
    ownerToken: () => Promise.resolve(null),
    appVersion: () => Promise.resolve(null),
    notify(title, body) {
      // Only when the person already allowed it: asking is a user gesture the Devices view makes explicitly.
      showNotification(title, body).catch(() => {
        // A browser that refuses after all: the in-app lists still show the alert or the new device.
      });
    },
    saveFile: browserDownload,
    startAtLogin: null,
  };
}
