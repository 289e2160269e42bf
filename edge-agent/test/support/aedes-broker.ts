import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Aedes, type AedesOptions } from 'aedes';

export interface TestBroker {
  readonly broker: Aedes;
  readonly port: number;
  readonly url: string;
  /** Client ids the broker authenticated, in order. */
  readonly authenticated: string[];
  /** Cuts every connection at once (synchronously), then closes the broker and the listener. */
  close(): Promise<void>;
}

export interface TestBrokerOptions {
  /** 0 for a free port. */
  port?: number;
  /** username -> password accepted. */
  users: Record<string, string>;
  /** Extra gate: refuse an otherwise valid user while this returns false. */
  admit?: (username: string) => boolean;
  /** aedes's authorizePublish hook; delaying its callback delays the PUBACK. */
  authorizePublish?: AedesOptions['authorizePublish'];
}

/** An aedes broker on 127.0.0.1 with username/password authentication, for integration tests. */
export async function startTestBroker(opts: TestBrokerOptions): Promise<TestBroker> {
  const authenticated: string[] = [];
  const broker = await Aedes.createBroker({
    authenticate(client, username, password, done) {
      const ok =
        username !== undefined &&
        opts.users[username] !== undefined &&
        password?.toString('utf8') === opts.users[username] &&
        (opts.admit?.(username) ?? true);
      if (ok) authenticated.push(client.id);
      if (ok) done(null, true);
      else done(Object.assign(new Error('bad username or password'), { returnCode: 4 as const }), false);
    },
    ...(opts.authorizePublish ? { authorizePublish: opts.authorizePublish } : {}),
  });
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    broker.handle(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    broker,
    port,
    url: `mqtt://127.0.0.1:${port}`,
    authenticated,
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => {
        broker.close(() => server.close(() => resolve()));
      });
    },
  };
}
