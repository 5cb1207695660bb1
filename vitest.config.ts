import { defineConfig } from 'vitest/config';

// Two tiers: `unit` (tests/unit: no servers, runs without root in seconds; npm run test:unit) and
// `integration` (tests/integration: real sshd, dockerd, ocserv; its global setup creates the sshd test
// account as root; npm run test:integration). `vitest run` runs both. Integration files start their own
// servers, and a loaded CI machine slows everything, so the timeouts are generous for both.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] },
      },
      {
        extends: true,
        test: { name: 'integration', include: ['tests/integration/**/*.test.ts'], globalSetup: ['tests/integration/global-setup.ts'] },
      },
    ],
  },
});
