// Binds a TCP server and resolves the port actually bound (port 0 asks the OS for a free one).
// A bind error (address in use, bad host) rejects instead of escaping as an 'error' event.

import type net from 'node:net';

export function listenOn(server: net.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}
