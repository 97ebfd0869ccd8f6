// Which commands only read, by Redis's own command table: COMMAND lists every command with its
// flags ("readonly", "write", …), subcommands (OBJECT ENCODING, XINFO STREAM…) with their own.
// Only those a replica can answer with the primary's data go to it; anything unknown goes to the
// primary, which is always right.
import { type Arg, type Reply, text } from './resp.ts'

const FLAGS = 2
const SUBCOMMANDS = 9

export class ReadOnlyCommands {
  /** lower-case name, or "container|sub", of every command flagged readonly and not write */
  private readonly names: Set<string>

  constructor(names: Iterable<string>) {
    this.names = new Set(names)
  }

  /** From the reply to COMMAND (Redis >= 7: subcommands are the 10th field of an entry). */
  static fromCommandReply(reply: Reply): ReadOnlyCommands {
    const names: string[] = []
    const visit = (entries: Reply) => {
      if (!Array.isArray(entries)) return
      for (const entry of entries) {
        if (!Array.isArray(entry)) continue
        const flags = entry[FLAGS]
        const list = Array.isArray(flags) ? flags.map((flag) => text(flag as Arg)) : []
        if (list.includes('readonly') && !list.includes('write')) {
          names.push(text(entry[0] as Arg).toLowerCase())
        }
        visit(entry[SUBCOMMANDS] ?? null)
      }
    }
    visit(reply)
    if (names.length === 0) throw new Error('COMMAND listed no read-only command')
    return new ReadOnlyCommands(names)
  }

  /** Does this command (as the client sent it) only read? */
  reads(args: readonly Arg[]): boolean {
    const name = text(args[0]).toLowerCase()
    if (this.names.has(name)) return true
    if (args.length > 1 && this.names.has(`${name}|${text(args[1]).toLowerCase()}`)) return true
    // A script that declares it writes nothing may run on a read-only replica.
    if (name === 'eval' && args.length > 1) return declaresNoWrites(text(args[1]))
    return false
  }

  /** Does every command of this request only read? */
  readsOnly(commands: readonly (readonly Arg[])[]): boolean {
    return commands.length > 0 && commands.every((args) => this.reads(args))
  }
}

/** `#!lua flags=no-writes,…` on the script's first line. */
export function declaresNoWrites(script: string): boolean {
  if (!script.startsWith('#!')) return false
  const eol = script.indexOf('\n')
  const line = eol < 0 ? script : script.slice(0, eol)
  for (const part of line.trim().split(/\s+/)) {
    if (part.startsWith('flags=') && part.slice(6).split(',').includes('no-writes')) return true
  }
  return false
}
