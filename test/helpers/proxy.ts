import net from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 that a test can cut like a network: while cut, connections stay open but
 * nothing passes in either direction (bytes wait, as TCP would retransmit them), and new connections
 * are accepted but not forwarded; `restore()` lets everything through again, in order.
 */
export interface CuttableProxy {
  port: number;
  /** a URL like `target` but through the proxy */
  url: (target: string) => string;
  cut: () => void;
  restore: () => void;
  close: () => Promise<void>;
}

export async function startProxy(targetHost: string, targetPort: number): Promise<CuttableProxy> {
  let isCut = false;
  const waiting: (() => void)[] = [];
  const sockets = new Set<net.Socket>();

  const server = net.createServer((client) => {
    sockets.add(client);
    const held: Buffer[] = [];
    let upstream: net.Socket | null = null;
    const toUpstream: Buffer[] = [];
    const toClient: Buffer[] = [];
    const flush = () => {
      if (isCut) return;
      if (upstream) for (const b of toUpstream.splice(0)) upstream.write(b);
      for (const b of toClient.splice(0)) client.write(b);
    };
    const connect = () => {
      if (upstream) return;
      upstream = net.connect(targetPort, targetHost);
      sockets.add(upstream);
      upstream.on('data', (d: Buffer) => {
        toClient.push(d);
        flush();
      });
      upstream.on('close', () => client.destroy());
      upstream.on('error', () => client.destroy());
      toUpstream.push(...held.splice(0));
      flush();
    };
    client.on('data', (d: Buffer) => {
      (upstream ? toUpstream : held).push(d);
      flush();
    });
    client.on('close', () => upstream?.destroy());
    client.on('error', () => upstream?.destroy());
    if (isCut) waiting.push(connect);
    else connect();
    waiting.push(flush);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;

  return {
    port,
    url: (target) => {
      const u = new URL(target);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    cut: () => {
      isCut = true;
    },
    restore: () => {
      isCut = false;
      // connects held connections first, then flushes every buffer in arrival order
      for (const fn of [...waiting]) fn();
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
