/** A front door's request listener on a loopback port, for the tests of local/front-door.ts. */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { createFrontDoor } from "../../local/front-door";

export interface OpenDoor {
  base: string;
  port: number;
  /** Stops the server, then the door's own resources. */
  close(): Promise<void>;
}

export async function openDoor(door: ReturnType<typeof createFrontDoor>): Promise<OpenDoor> {
  const server = createServer(door);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    close: async () => {
      await new Promise((resolve) => server.close(resolve));
      await door.close?.();
    },
  };
}
