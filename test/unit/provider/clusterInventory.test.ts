import * as assert from "assert";
import { listNamespaces } from "../../../provider/clusterInventory";
import { Connection, CoreApi, ListRequest, ObjectList } from "../../../provider/kubeApi";
import { checkProviderSettings, diffProviderSettings } from "../../../provider/providerConfig";

/** A fake API that serves lists in pages of `pageSize`, recording each request. */
function pagedApi(namespaces: ObjectList["items"], accounts: ObjectList["items"], pageSize: number) {
    const requests: string[] = [];
    const page =
        (items: ObjectList["items"], what: string) =>
        async (request: ListRequest): Promise<ObjectList> => {
            requests.push(`${what} limit=${request.limit} continue=${request._continue ?? ""}`);
            const start = Number(request._continue ?? 0);
            const end = Math.min(start + pageSize, items.length);
            return { items: items.slice(start, end), metadata: end < items.length ? { _continue: String(end) } : {} };
        };
    const api = { listNamespace: page(namespaces, "namespaces"), listServiceAccountForAllNamespaces: page(accounts, "serviceaccounts") } as unknown as CoreApi;
    const connection: Connection = { api, server: "https://127.0.0.1:1", mergePatch: undefined, jsonPatch: undefined };
    return { connection, requests };
}

describe("the listNamespaces function", () => {
    const namespaces = Array.from({ length: 1203 }, (_, i) => ({
        metadata: { name: `ns-${String(i).padStart(4, "0")}`, labels: { team: i % 2 ? "odd" : "even" } },
    }));

    it("reads every page, and nothing about ServiceAccounts unless asked", async () => {
        const { connection, requests } = pagedApi(namespaces, [], 500);
        const { namespaces: found } = await listNamespaces(connection, {});
        assert.strictEqual(found.length, 1203);
        assert.deepStrictEqual(found[1], { name: "ns-0001", labels: { team: "odd" }, terminating: false });
        assert.deepStrictEqual(requests, ["namespaces limit=500 continue=", "namespaces limit=500 continue=500", "namespaces limit=500 continue=1000"]);
    });

    it("marks namespaces being deleted, and groups ServiceAccounts by namespace, sorted", async () => {
        const { connection } = pagedApi(
            [
                { metadata: { name: "b" }, status: { phase: "Active" } },
                { metadata: { name: "a", deletionTimestamp: "2026-11-26T00:00:00Z" }, status: { phase: "Terminating" } },
            ],
            [
                { metadata: { namespace: "b", name: "runner", labels: { ci: "yes" } } },
                { metadata: { namespace: "b", name: "default" } },
                { metadata: { namespace: "gone", name: "default" } },
            ],
            1,
        );
        const { namespaces: found } = await listNamespaces(connection, { serviceAccounts: true });
        assert.deepStrictEqual(found, [
            { name: "a", labels: {}, terminating: true, serviceAccounts: [] },
            {
                name: "b",
                labels: {},
                terminating: false,
                serviceAccounts: [
                    { name: "default", labels: {} },
                    { name: "runner", labels: { ci: "yes" } },
                ],
            },
        ]);
    });

    it("a refused list names what was listed, where, and the server's reason", async () => {
        const api = {
            listNamespace: async () => {
                throw Object.assign(new Error("Forbidden"), {
                    code: 403,
                    body: JSON.stringify({ message: 'namespaces is forbidden: User "ci" cannot list resource "namespaces"' }),
                });
            },
        } as unknown as CoreApi;
        await assert.rejects(listNamespaces({ api, server: "https://10.0.0.1", mergePatch: undefined, jsonPatch: undefined }, {}), {
            message:
                'listing namespaces in the cluster at https://10.0.0.1 failed: HTTP 403: namespaces is forbidden: User "ci" cannot list resource "namespaces"',
        });
    });
});

describe("a provider that only reads the cluster", () => {
    it("needs no docker config, and an unchanged one diffs as unchanged", () => {
        assert.deepStrictEqual(checkProviderSettings({ kubeconfig: "k" }), []);
        assert.deepStrictEqual(diffProviderSettings({ kubeconfig: "k" }, { kubeconfig: "k" }), { changes: false, replaces: [], diffs: [] });
        assert.deepStrictEqual(diffProviderSettings({}, {}), { changes: false, replaces: [], diffs: [] });
    });
});
