import { cloudflareTest } from '@cloudflare/vitest-plugin'
import { defaultServerConditions } from 'vite'
import { defineConfig } from 'vitest/config'

// The workspace packages (packages/*) publish built JavaScript; in this repository they run from
// source: their package.json "exports" resolve this condition to src/*.ts. Vite resolves the tests'
// imports; Node, in the processes the tests start, gets it from NODE_OPTIONS.
const SOURCE_CONDITION = '@edge-status/source'
const sourceConditions = { conditions: [SOURCE_CONDITION, ...defaultServerConditions] }
const conditionFlag = `--conditions=${SOURCE_CONDITION}`
const { NODE_OPTIONS = '' } = process.env
const nodeOptions = NODE_OPTIONS.includes(conditionFlag)
  ? NODE_OPTIONS
  : `${conditionFlag} ${NODE_OPTIONS}`.trim()

export default defineConfig({
  test: {
    // Logs only for failing tests; the JSON report feeds .ci/run's summary.
    silent: 'passed-only',
    reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
    projects: [
      {
        ssr: { resolve: sourceConditions },
        test: {
          name: 'node',
          env: { NODE_OPTIONS: nodeOptions },
          include: ['test/node/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        // For the global setups, which start the gateways; the Worker imports no workspace package.
        environments: { __vitest__: { resolve: sourceConditions } },
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
