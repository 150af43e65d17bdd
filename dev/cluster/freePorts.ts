import * as net from "node:net";

/**
 * Loopback ports that were free a moment ago, found by listening on port 0 (as envtest does).
 * All listeners stay open until every port is known, so one call never returns a port twice.
 */
export async function freePorts(count: number): Promise<number[]> {
    const servers: net.Server[] = [];
    try {
        for (let i = 0; i < count; i++) {
            const server = net.createServer();
            servers.push(server);
            await new Promise<void>((resolve, reject) => {
                server.once("error", reject);
                server.listen(0, "127.0.0.1", () => resolve());
            });
        }
        return servers.map((server) => (server.address() as net.AddressInfo).port);
    } finally {
        await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    }
}
