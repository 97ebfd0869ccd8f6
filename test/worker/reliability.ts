// Shared by the reliability tests: quiet logs with a record of errors, status listing.
import { vi } from 'vitest'
import type { Client } from './helpers'

/**
 * Silences the app's log (warnings and errors) while a test floods it, and keeps what it logged
 * at error level (an unhandled error is a bug even when the response looked fine).
 */
export function quietLogs() {
  const errors: string[] = []
  const info = vi.spyOn(console, 'info').mockImplementation(() => {})
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
  const error = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    errors.push(args.map(String).join(' '))
  })
  return {
    errors,
    restore() {
      info.mockRestore()
      warn.mockRestore()
      error.mockRestore()
    },
  }
}

interface StatusPage {
  message: { id: string; user_status: string }[]
  next_cursor: string | null
}

/** Every status of the client's user, newest first, through the app's own paging. */
export async function allStatuses(client: Client): Promise<string[]> {
  const texts: string[] = []
  let cursor: string | null = null
  for (;;) {
    const path: string = `/fetchStatus?limit=100${cursor ? `&cursor=${cursor}` : ''}`
    const response = await client.request(path)
    if (response.status !== 200) {
      throw new Error(`GET ${path}: ${response.status} ${await response.text()}`)
    }
    const page = (await response.json()) as StatusPage
    texts.push(...page.message.map((status) => status.user_status))
    cursor = page.next_cursor
    if (!cursor) return texts
  }
}

/** How often each value occurs. */
export function tally(values: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>()
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1)
  return counts
}
