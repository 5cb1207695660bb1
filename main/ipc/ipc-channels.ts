// The IPC channels between the window's preload and the main process: one list, used by ipc-handlers.ts.
// The sandboxed preload cannot import this file, so it repeats the names; a test keeps the two equal.

export const IpcChannel = {
  getOwnerToken: 'vigilink:get-owner-token',
  appVersion: 'vigilink:app-version',
  getOpenAtLogin: 'vigilink:get-open-at-login',
  setOpenAtLogin: 'vigilink:set-open-at-login',
} as const;

export type IpcChannel = (typeof IpcChannel)[keyof typeof IpcChannel];
