/**
 * Loopback ports for the twin's servers: pick a free one, or check that an asked-for one is free before anything
 * slow starts, with a message that says what to do.
 */
import * as net from "node:net";

/** Every stand-in and twin server listens on loopback only. */
export const HOST = "127.0.0.1";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, HOST, () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export async function assertPortFree(port: number, what: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", (err: NodeJS.ErrnoException) =>
      reject(
        new Error(
          err.code === "EADDRINUSE"
            ? `Port ${port} (for ${what}) is already in use on ${HOST}. Stop whatever uses it or choose another port.`
            : `Cannot listen on ${HOST}:${port} for ${what}: ${err.message}`,
        ),
      ),
    );
    srv.listen(port, HOST, () => srv.close(() => resolve()));
  });
}
