/**
 * Whether a listed namespace can take a new pull Secret, asked at preview (Check) so that `up`
 * does not fail half-way: it must exist (unless the stack creates it) and must not be terminating.
 * The API server refuses to create anything in a namespace being deleted ("unable to create new
 * content in namespace ... because it is being terminated"), and it stays so until its finalizers
 * are done, which can take minutes or forever.
 */
import { CoreApi, describeApiError, errorWithCause, statusOf } from "./kubeApi";
import { CheckFailure } from "./resourceHandler";

/** The fields of a Namespace this check reads. */
interface NamespaceObject {
    metadata?: { deletionTimestamp?: unknown };
    status?: { phase?: string };
}

/** True when the namespace is being deleted (a deletion timestamp, or phase Terminating). */
export function isTerminating(namespace: NamespaceObject | undefined): boolean {
    const deletion = namespace?.metadata?.deletionTimestamp;
    return (deletion !== undefined && deletion !== null) || namespace?.status?.phase === "Terminating";
}

/** The problem with `namespace` for a new pull Secret, or undefined when there is none. */
export async function namespaceProblem(api: CoreApi, namespace: string, createdByStack: boolean): Promise<CheckFailure | undefined> {
    let found: NamespaceObject;
    try {
        found = (await api.readNamespace({ name: namespace })) as NamespaceObject;
    } catch (error) {
        if (statusOf(error) !== 404) throw errorWithCause(`reading namespace ${namespace} failed: ${describeApiError(error)}`, error);
        if (createdByStack) return undefined;
        return {
            property: "namespace",
            reason: `namespace "${namespace}" does not exist in the cluster: create it first, or set create: true on it in the namespaces setting so the stack creates it`,
        };
    }
    if (!isTerminating(found)) return undefined;
    return {
        property: "namespace",
        reason:
            `namespace "${namespace}" is being deleted (terminating), and no Secret can be created in it: remove it from the namespaces ` +
            `setting (or add it to excludeNamespaces), or wait until it is gone and create it again, then run pulumi up again`,
    };
}
