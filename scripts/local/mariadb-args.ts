// Command lines of a MariaDB of our own (a private instance, the fault tests' cluster): never the
// system's configuration, loopback only, root without a password.

const asRoot = process.getuid?.() === 0

/** mariadb-install-db creating an empty data folder. */
export function mariadbInstallArgs(datadir: string): string[] {
  return [
    '--no-defaults',
    `--datadir=${datadir}`,
    // root@localhost/127.0.0.1 with no password, whatever user runs this.
    '--auth-root-authentication-method=normal',
    '--skip-test-db',
    ...(asRoot ? ['--user=root'] : []),
  ]
}

export interface MariadbFiles {
  datadir: string
  socket: string
  pidFile: string
  port: number
  bufferPool: string
  /** Appended last, e.g. a replication pair's --server-id and --log-bin */
  extra?: string[]
}

/** mariadbd on 127.0.0.1 with its own socket, so it never touches the system's. */
export function mariadbServerArgs(files: MariadbFiles): string[] {
  return [
    // --no-defaults must come first: never read /etc/mysql/my.cnf (system paths, users, ports).
    '--no-defaults',
    `--datadir=${files.datadir}`,
    `--socket=${files.socket}`,
    `--port=${files.port}`,
    '--bind-address=127.0.0.1',
    `--pid-file=${files.pidFile}`,
    '--skip-name-resolve',
    ...(files.extra?.some((arg) => arg.startsWith('--log-bin')) ? [] : ['--skip-log-bin']),
    `--innodb-buffer-pool-size=${files.bufferPool}`,
    ...(asRoot ? ['--user=root'] : []),
    ...(files.extra ?? []),
  ]
}
