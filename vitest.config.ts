import { defineConfig } from 'vitest/config';

// Two tiers: `unit` (tests/unit, no servers, runs without root in seconds) and `integration`
// (tests/integration: real sshd, dockerd, ocserv; its global setup creates the sshd test account as root).
// Integration files start their own servers, so they get generous timeouts.
export default defineConfig({
  test: {
    pool: 'forks',
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          testTimeout: 10_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
          globalSetup: ['tests/integration/global-setup.ts'],
        },
      },
    ],
  },
});
