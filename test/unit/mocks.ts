/**
 * The one Pulumi mocks setup for all unit tests (`setMocks` is process-global). Import it before
 * any program code. Every resource is recorded. The one provider function the program calls,
 * `listNamespaces`, answers from {@link setMockCluster}; any other call throws, so that a new one is
 * a conscious change to these tests.
 */
import * as pulumi from "@pulumi/pulumi";
import { functions } from "../../components/contract";
import type { ClusterNamespace } from "../../components/selectNamespaces";
import { fakeKeyJson } from "./fakeKey";

/** A resource the program registered. */
export interface Recorded {
    type: string;
    name: string;
    inputs: Record<string, any>;
    options?: pulumi.ResourceOptions;
}

export const recorded: Recorded[] = [];

/** Function calls the program made, in order. */
export const calls: pulumi.runtime.MockCallArgs[] = [];

let cluster: ClusterNamespace[] | "unconfigured" | undefined;

/**
 * What `listNamespaces` answers: these namespaces, or "unconfigured" for the empty answer the engine
 * gives for a provider whose configuration is unknown (a preview of a cluster made in the same
 * update). Undefined (the default): the call is unexpected and throws.
 */
export function setMockCluster(namespaces: ClusterNamespace[] | "unconfigured" | undefined): void {
    cluster = namespaces;
}

/** The project number Google gives the project of a mocked pool (its `name` carries it). */
export const mockProjectNumber = "424242424242";

pulumi.runtime.setMocks(
    {
        newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, any> } {
            recorded.push({ type: args.type, name: args.name, inputs: args.inputs });
            const state: Record<string, any> = { ...args.inputs };
            switch (args.type) {
                case "gcp:serviceaccount/account:Account": {
                    const project = args.inputs.project ?? "mock-project";
                    state.email = `${args.inputs.accountId}@${project}.iam.gserviceaccount.com`;
                    state.name = `projects/${project}/serviceAccounts/${state.email}`;
                    break;
                }
                case "gcp:serviceaccount/key:Key": {
                    const account = String(args.inputs.serviceAccountId);
                    const email = account.split("/").pop()!;
                    const json = fakeKeyJson(email, JSON.stringify(args.inputs.keepers ?? {}));
                    state.privateKey = Buffer.from(json).toString("base64");
                    state.name = `${account}/keys/${JSON.parse(json).private_key_id}`;
                    break;
                }
                case "gcp:iam/workloadIdentityPool:WorkloadIdentityPool":
                    state.name = `projects/${mockProjectNumber}/locations/global/workloadIdentityPools/${args.inputs.workloadIdentityPoolId}`;
                    break;
                case "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider":
                    state.name =
                        `projects/${mockProjectNumber}/locations/global/workloadIdentityPools/${args.inputs.workloadIdentityPoolId}` +
                        `/providers/${args.inputs.workloadIdentityPoolProviderId}`;
                    break;
            }
            return { id: `mocked::${args.type}::${args.name}-id`, state };
        },
        call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
            calls.push(args);
            if (args.token === functions.listNamespaces && cluster !== undefined) {
                if (cluster === "unconfigured") return {};
                const withAccounts = args.inputs.serviceAccounts === true;
                return {
                    namespaces: cluster.map(({ serviceAccounts, ...namespace }) => ({
                        ...namespace,
                        ...(withAccounts ? { serviceAccounts: serviceAccounts ?? [] } : {}),
                    })),
                };
            }
            if (args.token === functions.verifyPullAccess) {
                // Every check passes: a test of the checks themselves calls the provider's function directly.
                const namespaces = args.inputs.namespaces as { name: string; serviceAccounts: string[] }[];
                return {
                    namespaces: Object.fromEntries(
                        namespaces.map((namespace) => [
                            namespace.name,
                            {
                                status: args.inputs.pods ? "verified" : "skipped",
                                ...(args.inputs.pods
                                    ? { serviceAccounts: Object.fromEntries(namespace.serviceAccounts.map((account) => [account, { status: "verified" }])) }
                                    : {}),
                            },
                        ]),
                    ),
                };
            }
            throw new Error(`unexpected provider function call ${args.token}`);
        },
    },
    "gcr-pull-secrets",
    "unit",
    false,
);

/** Resolves an Output's value (and whether it is secret) in a test. */
export async function unwrap<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise<T>((resolve) => output.apply((value) => resolve(value)));
}

/** Waits until no new resource has been registered for a few event-loop turns. */
export async function settle(): Promise<void> {
    let last = -1;
    let stableTurns = 0;
    while (stableTurns < 5) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (recorded.length === last) {
            stableTurns++;
        } else {
            last = recorded.length;
            stableTurns = 0;
        }
    }
}

/** Forgets what earlier tests registered. */
export function resetRecorded(): void {
    recorded.length = 0;
    calls.length = 0;
    // One stack identity per deployment (components/stackIdentity.ts); here every test is a deployment of its own.
    (globalThis as unknown as Record<symbol, Map<string, unknown> | undefined>)[Symbol.for("gcr-pull-secrets.stackIdentities")]?.clear();
}

/** The recorded resources of one type. */
export function ofType(type: string): Recorded[] {
    return recorded.filter((r) => r.type === type);
}

/** The one recorded resource with this type and name; fails the test otherwise. */
export function findCreated(type: string, name: string): Recorded {
    const matches = recorded.filter((r) => r.type === type && r.name === name);
    if (matches.length !== 1) {
        throw new Error(`expected one ${type} named ${name}, found ${matches.length}: ${recorded.map((r) => `${r.type} ${r.name}`).join(", ")}`);
    }
    return matches[0];
}

/** True when a recorded input arrived at the engine marked secret. */
export function isSecretInput(value: unknown): boolean {
    return value !== null && typeof value === "object" && (value as Record<string, unknown>)[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig;
}

/** The plain value of a recorded input that must have arrived marked secret; fails otherwise. */
export function revealSecretInput(value: unknown): any {
    if (!isSecretInput(value)) {
        throw new Error(`expected a secret input, got ${JSON.stringify(value)?.slice(0, 80)}`);
    }
    return (value as { value: unknown }).value;
}
