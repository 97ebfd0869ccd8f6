import { cloudflareTest } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // Logs only for failing tests; the JSON report feeds .ci/run's summary.
    silent: 'passed-only',
    reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
    projects: [
      {
        test: {
          name: 'node',
          include: ['test/node/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: {
                UPSTASH_REDIS_REST_URL: inject('upstashUrl'),
                UPSTASH_REDIS_REST_TOKEN: inject('upstashToken'),
                DATABASE_URL: inject('databaseUrl'),
                // For the depth test only: the same data behind gateways at a distance.
                DISTANT_UPSTASH_REDIS_REST_URL: inject('distantUpstashUrl'),
                DISTANT_DATABASE_URL: inject('distantDatabaseUrl'),
                SESSION_SECRET: 'worker-tests-session-secret-0123456789abcdef',
              },
            },
          })),
        ],
        test: {
          name: 'workers',
          include: ['test/worker/**/*.test.{ts,tsx}'],
          // The second one lets fault tests start, kill and freeze processes (started on demand).
          globalSetup: ['test/global-setup.ts', 'test/node/faults/control.ts'],
          // Request budgets are read from the gateways' per-token counters: one file at a time.
          fileParallelism: false,
          testTimeout: 30_000,
        },
      },
    ],
  },
})
