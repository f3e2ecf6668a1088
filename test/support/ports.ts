// Picks a free TCP port on the loopback interface: listen on 127.0.0.1:0, read the port the OS
// chose, close. The port is free at return time only; a server started right after binds it
// with a tiny race window, which is acceptable for tests (startup fails loudly if lost).
import { createServer } from 'node:net';

/** Resolves a currently unused port on 127.0.0.1. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error(`unexpected listen address: ${String(address)}`));
        return;
      }
      const port = address.port;
      server.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}
