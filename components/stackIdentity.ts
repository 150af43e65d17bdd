/**
 * The stack's identity: a random id, made once per stack by the `gcr-pull-secrets` provider and kept
 * in the stack's state, that every PullSecret writes on its Secret. Two stacks of one
 * `<project>/<stack>` name in two backends have the same URNs and stack annotation; only this tells
 * them apart (provider/ownership.ts). It must not change while the stack lives, so it is no child of
 * a component (a component renamed without an alias would make a new one, and the renamed stack
 * would refuse its own Secrets) and has a provider of its own, no child either (a resource whose
 * provider's URN changes is replaced). One per stack, however many components the program has.
 */
import * as pulumi from "@pulumi/pulumi";
import { types } from "./contract";
import { PullSecretsProvider } from "./pullSecretsProvider";

/** The name of the stack identity and of its provider: one each per stack. */
export const stackIdentityName = "gcr-pull-secrets-stack-identity";

/**
 * The stack's random identity. Its id is the identity; it has no inputs and no outputs, never
 * changes once created, and touches nothing outside the state.
 */
export class StackIdentity extends pulumi.CustomResource {
    /**
     * @param name The resource name ({@link stackIdentityName}).
     * @param opts Resource options; `provider` is a {@link PullSecretsProvider}.
     */
    constructor(name: string, opts?: pulumi.CustomResourceOptions) {
        super(types.stackIdentity, name, {}, opts);
    }
}

/**
 * The identity of each deployment in this process, by resource monitor: a TypeScript program has one;
 * the plugin building components for other languages (provider/construct.ts) has one per deployment,
 * for every component it builds there. Kept on the global object so that two copies of this package in
 * one program still register one identity.
 */
function registry(): Map<string, pulumi.Output<string>> {
    const key = Symbol.for("gcr-pull-secrets.stackIdentities");
    const global = globalThis as unknown as Record<symbol, Map<string, pulumi.Output<string>> | undefined>;
    return (global[key] ??= new Map());
}

/** The address of the resource monitor this code registers with ("mock" under unit-test mocks). */
function monitorAddress(): string {
    // The SDK keeps it in its per-deployment state, which it does not export (construct.ts reaches the same internals).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const state = require("@pulumi/pulumi/runtime/state");
    // Without it (another SDK layout), one identity per process and stack: right for a TypeScript program.
    return typeof state.getStore === "function" ? String(state.getStore()?.settings?.options?.monitorAddr ?? "") : "";
}

/** The stack's identity, declared on first use in this deployment; unknown in the preview that creates it. */
export function stackIdentity(): pulumi.Output<string> {
    const identities = registry();
    const key = `${monitorAddress()}|${pulumi.getProject()}/${pulumi.getStack()}`;
    let identity = identities.get(key);
    if (!identity) {
        const provider = new PullSecretsProvider(stackIdentityName, {});
        identity = new StackIdentity(stackIdentityName, { provider }).id;
        identities.set(key, identity);
    }
    return identity;
}
