import * as k8s from "@kubernetes/client-node";
import { kube } from "./harness";

/**
 * Another writer on a ServiceAccount with no pause between writes, as a controller would be: it
 * adds and removes entries of its own, each write conditional on the resourceVersion it read.
 * `slots` entries of its own take turns. `stop` returns the entries it believes are there.
 */
export function startWriter(namespace: string, label: string, slots = 3): { stop(): Promise<Set<string>>; writes(): number } {
    let stopped = false;
    let writes = 0;
    const mine = new Set<string>();
    const done = (async () => {
        const { core } = kube();
        for (let i = 0; !stopped; i++) {
            const account = await core.readNamespacedServiceAccount({ name: "default", namespace });
            const list = (account.imagePullSecrets ?? []).map((ref) => ({ name: ref.name }));
            const name = `${label}-${i % slots}`;
            const next = mine.has(name) ? list.filter((ref) => ref.name !== name) : [...list, { name }];
            try {
                await core.patchNamespacedServiceAccount(
                    {
                        name: "default",
                        namespace,
                        body: [
                            { op: "test", path: "/metadata/resourceVersion", value: account.metadata?.resourceVersion },
                            { op: "add", path: "/imagePullSecrets", value: next },
                        ],
                    },
                    k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.JsonPatch),
                );
                if (mine.has(name)) mine.delete(name);
                else mine.add(name);
                writes++;
            } catch (error) {
                const code = (error as { code?: number }).code;
                if (code !== 409 && code !== 422) throw error; // someone wrote in between: read again
            }
            // Yield to the event loop: the watches and the CLI's output run in this process too.
            await new Promise((resolve) => setImmediate(resolve));
        }
    })();
    return {
        writes: () => writes,
        async stop() {
            stopped = true;
            await done;
            return mine;
        },
    };
}
