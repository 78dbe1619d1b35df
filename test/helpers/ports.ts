// Free TCP ports for tests. Prefer letting a server bind port 0 itself; use this only when a port must be
// known before the process that binds it starts (e.g. a broker's `listeners` config).
import { createServer } from 'node:net';

/** Asks the kernel for an unused port on 127.0.0.1 and releases it again. */
export function getFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') {
        srv.close();
        reject(new Error('unexpected server address'));
        return;
      }
      const port = addr.port;
      srv.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}
