// No session opened with the old password outlives a password change, also when the login read
// the old hash before the change stored the new one and stores its session after the change
// ended every session.
import { describe, expect, it } from 'vitest'
import { Client, loggedInClient, PASSWORD } from './helpers'

const LOOPS = 4
const TRIALS = 3

describe('a password change with logins in flight', () => {
  it(`leaves no session opened with the old password (${LOOPS} login loops, ${TRIALS} trials)`, async () => {
    const survivors: string[] = []
    for (let trial = 0; trial < TRIALS; trial++) {
      const { client: owner, email } = await loggedInClient('pw-race')
      const loggedIn: Client[] = []
      let running = true
      const loop = async () => {
        while (running) {
          const client = new Client()
          const login = await client.request('/login', {
            json: { user_email: email, user_password: PASSWORD },
          })
          await login.body?.cancel()
          if (login.status === 200) loggedIn.push(client)
          else if (login.status !== 401) throw new Error(`login answered ${login.status}`)
        }
      }
      const loops = Array.from({ length: LOOPS }, loop)
      // Logins under way, the owner changes the password.
      while (loggedIn.length < LOOPS) await new Promise((resolve) => setTimeout(resolve, 10))
      const change = await owner.request('/account/password', {
        json: { current_password: PASSWORD, new_password: `new passphrase number ${trial}` },
      })
      expect(change.status).toBe(200)
      running = false
      await Promise.all(loops)
      for (const client of loggedIn) {
        const read = await client.request('/fetchStatus')
        if (read.status === 200) survivors.push(`trial ${trial}: ${client.address}`)
      }
    }
    expect(survivors).toEqual([])
  }, 60_000)
})
