/**
 * The `listNamespaces` function: the cluster's namespaces and their labels, and when asked their
 * ServiceAccounts, for the component to choose from (components/selectNamespaces.ts). Two list
 * calls in pages of 500, whatever the number of namespaces: selection runs on every preview.
 */
import type { ClusterNamespace, ClusterServiceAccount } from "../components/selectNamespaces";
import { Connection, CoreApi, describeApiError, ListRequest, ObjectList } from "./kubeApi";

/** What the function returns. `namespaces` is present only in an answer from a configured provider. */
export interface NamespaceInventory {
    namespaces: ClusterNamespace[];
}

const pageSize = 500;

async function listAll(list: (request: ListRequest) => Promise<ObjectList>, what: string, server: string | undefined): Promise<ObjectList["items"]> {
    const items: ObjectList["items"] = [];
    let next: string | undefined;
    do {
        let page: ObjectList;
        try {
            page = await list({ limit: pageSize, ...(next ? { _continue: next } : {}) });
        } catch (error) {
            throw new Error(`listing ${what} in the cluster at ${server ?? "(unknown)"} failed: ${describeApiError(error)}`);
        }
        items.push(...page.items);
        next = page.metadata?._continue || undefined;
    } while (next);
    return items;
}

/** Reads the namespaces (and their ServiceAccounts, if `serviceAccounts`), sorted by name. */
export async function listNamespaces(connection: Connection, args: Record<string, unknown>): Promise<NamespaceInventory> {
    const api: CoreApi = connection.api;
    const namespaces = (await listAll((request) => api.listNamespace(request), "namespaces", connection.server)).map((item): ClusterNamespace => ({
        name: item.metadata?.name ?? "",
        labels: { ...(item.metadata?.labels ?? {}) },
        terminating: item.metadata?.deletionTimestamp !== undefined && item.metadata?.deletionTimestamp !== null ? true : item.status?.phase === "Terminating",
    }));
    if (args.serviceAccounts === true) {
        const byNamespace = new Map<string, ClusterServiceAccount[]>(namespaces.map((namespace) => [namespace.name, []]));
        for (const item of await listAll((request) => api.listServiceAccountForAllNamespaces(request), "ServiceAccounts", connection.server)) {
            byNamespace.get(item.metadata?.namespace ?? "")?.push({ name: item.metadata?.name ?? "", labels: { ...(item.metadata?.labels ?? {}) } });
        }
        for (const namespace of namespaces) {
            namespace.serviceAccounts = byNamespace.get(namespace.name)!.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        }
    }
    return { namespaces: namespaces.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) };
}
