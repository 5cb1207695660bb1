// The bridge's version, shown in /openapi.json and the start-up log.
export const BRIDGE_VERSION = '0.2.2';
