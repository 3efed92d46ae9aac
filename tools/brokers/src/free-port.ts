// Asks the kernel for free loopback ports, so brokers of parallel runs never collide. Several
// ports are held open together before any is released, so one call never returns a port twice.
import { createServer, type Server } from "node:net";

function listen(host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, host, () => resolve(server));
  });
}

export async function freePorts(count: number, host = "127.0.0.1"): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) servers.push(await listen(host));
    return servers.map((server) => {
      const address = server.address();
      if (!address || typeof address !== "object")
        throw new Error("could not read the port the kernel assigned");
      return address.port;
    });
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

export async function freePort(host = "127.0.0.1"): Promise<number> {
  const [port] = await freePorts(1, host);
  return port!;
}
