// The launcher with small Node programs: ready by line or probe, failures carrying the output,
// stop escalating to SIGKILL for the whole group, pause and resume, restart on the same port.
import { afterEach, describe, expect, it } from 'vitest'
import { httpAnswers, LaunchError, OwnedProcess } from '../../scripts/lib/launcher.ts'
import { freePort, isAlive, sleep } from '../../scripts/lib/processes.ts'

const started: OwnedProcess[] = []
afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => p.kill()))
})

function program(name: string, code: string, extra: Partial<OwnedProcess['spec']> = {}) {
  const owned = new OwnedProcess({
    name,
    command: process.execPath,
    args: ['-e', code],
    output: 'capture',
    ...extra,
  })
  started.push(owned)
  return owned
}

/** An HTTP server on `port` that prints its URL once listening. */
const server = (port: number) => `
  require('node:http').createServer((q, s) => s.end('ok'))
    .listen(${port}, '127.0.0.1', () => console.log('listening on http://127.0.0.1:${port}'))`

describe('OwnedProcess', () => {
  it('is ready when its line appears, and keeps the match and the output', async () => {
    const port = await freePort()
    const owned = await program('web', `console.error('warming up'); ${server(port)}`, {
      ready: { line: /listening on (http:\/\/\S+)/ },
    }).start()
    expect(owned.readyMatch?.[1]).toBe(`http://127.0.0.1:${port}`)
    expect(owned.output()).toContain('warming up')
    expect(await httpAnswers(`http://127.0.0.1:${port}/`)).toBe(true)
  })

  it('fails with the program output when it exits before it is ready', async () => {
    const failing = program('broken', `console.error('no config file'); process.exit(3)`, {
      ready: { line: /never/ },
    })
    const error = await failing.start().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(LaunchError)
    expect(String(error)).toContain('broken exited (3)')
    expect(String(error)).toContain('no config file')
  })

  it('gives up after startupMs and leaves nothing running', async () => {
    const slow = program('slow', 'setInterval(() => {}, 1000)', {
      ready: { probe: async () => false },
      startupMs: 300,
    })
    const error = await slow.start().catch((e: unknown) => e)
    expect(String(error)).toContain('slow was not ready in time')
    expect(slow.running).toBe(false)
  })

  it('stops the whole group, escalating to SIGKILL when SIGTERM is ignored', async () => {
    // The leader starts a grandchild in its group, and both ignore SIGTERM.
    const code = `
      process.on('SIGTERM', () => {})
      const child = require('node:child_process').spawn(process.execPath,
        ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"], { stdio: 'ignore' })
      console.log('grandchild ' + child.pid)
      setInterval(() => {}, 1000)`
    const owned = await program('stubborn', code, { ready: { line: /grandchild (\d+)/ } }).start()
    const grandchild = Number(owned.readyMatch?.[1])
    const pid = owned.pid as number
    const began = Date.now()
    await owned.stop(300)
    expect(Date.now() - began, 'waited for the grace, no longer').toBeLessThan(3000)
    expect(await owned.exited).toBe('SIGKILL')
    expect(isAlive(pid), 'leader gone').toBe(false)
    await sleep(100)
    expect(isAlive(grandchild), 'grandchild gone').toBe(false)
  })

  it('freezes and thaws, and starts again on the same port after a kill', async () => {
    const port = await freePort()
    const url = `http://127.0.0.1:${port}/`
    const owned = await program('web', server(port), {
      ready: { probe: () => httpAnswers(url) },
    }).start()
    owned.pause()
    const frozen = await fetch(url, { signal: AbortSignal.timeout(300) }).catch((e: unknown) => e)
    expect(frozen, 'a frozen server answers nothing').toBeInstanceOf(Error)
    owned.resume()
    expect(await httpAnswers(url)).toBe(true)
    await owned.kill()
    expect(await owned.exited).toBe('SIGKILL')
    expect(await httpAnswers(url)).toBe(false)
    await owned.start()
    expect(await httpAnswers(url), 'back on the same port').toBe(true)
    await owned.restart()
    expect(await httpAnswers(url), 'after a restart').toBe(true)
  })
})
