import { defineConfig } from 'vitest/config';

// One runner for the unit tier and the integration tier (real sshd, dockerd, ocserv).
// Integration files start their own servers, so they get generous timeouts.
export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    globalSetup: ['tests/integration/global-setup.ts'],
    reporters: ['default'],
  },
});
