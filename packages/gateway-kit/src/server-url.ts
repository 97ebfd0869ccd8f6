/** Host, port and credentials of a redis:// or mysql:// URL (IPv6 brackets removed, decoded). */
export function serverAddress(serverUrl: string, defaultPort: number) {
  const url = new URL(serverUrl)
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1',
    port: Number(url.port || defaultPort),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
  }
}
