/**
 * `gcr-pull-secrets:index:PullSecret`: one namespace's `kubernetes.io/dockerconfigjson` Secret, and
 * its entry in the `imagePullSecrets` of each ServiceAccount named (see serviceAccountEntry.ts for
 * why each entry is a read-modify-write). One resource per namespace keeps an update's cost
 * linear: the engine rewrites the whole state after every step, so steps and state size multiply.
 *
 * The docker config itself lives once, in the provider's configuration; each resource keeps only a
 * digest of it. That keeps a namespace's state small (the key is in state once, not once per
 * namespace), while a key change still shows, masked, on every Secret it updates.
 *
 * Keyless (keySource "keyless"): the in-cluster refresher owns the content. The Secret is created
 * with placeholder content if absent; afterwards only its metadata is ever written, and its content
 * is never compared, so a refreshed token is neither drift nor overwritten. Switching a Secret back
 * to a key writes the key's docker config and drops the refresher's annotations; the refresher
 * writes only Secrets whose key-source annotation says keyless, so a late run leaves it alone.
 *
 * A resource only ever touches what it owns (ownership.ts): the Secret names its owning resource
 * instance, and every create, read, update and delete compares that owner with its own.
 */
import { randomUUID } from "crypto";
import { nameOfUrn, projectStackOfUrn } from "../components/urn";
import { readSecret, unanswered } from "./kubeApi";
import { namespaceProblem } from "./namespaceCheck";
import { Claimant, decideRead, decideWrite, describeOwner, identityToBeMade } from "./ownership";
import { containsUnknown, stringProperty } from "./propertyValues";
import { changeKeys, declaredInputProblems, isLegacyState, pullSecretOutputs, PullSecretState, readPullSecretProps } from "./pullSecretInputs";
import { importedPullSecret } from "./pullSecretImport";
import { DiffOutcome, ResourceHandler, ResourceInitError } from "./resourceHandler";
import { isKeyless, PullSecretContext, releaseSecret, writeEntries, writeSecret } from "./secretWrites";
import { liveDigest, liveEntries } from "./pullSecretLive";
import { keylessHealthWarner } from "./keylessHealth";

/** One error for what failed writing entries, naming each ServiceAccount's problem. */
function entriesFailure(where: string, errors: Error[]): string {
    return `${where}: ${errors.map((error) => error.message).join("; ")}`;
}

/** The provider-side logic of the pull Secret. */
export function pullSecretHandler(context: PullSecretContext): ResourceHandler {
    const warn = (message: string) => context.warn?.(message);
    const warnIfUnhealthy = keylessHealthWarner(warn);
    return {
        async check(olds, news, call) {
            const failures = declaredInputProblems(news);
            // The stack's identity is unknown only in the preview that makes it: a new one, which no Secret carries yet.
            const { stackIdentity: identity, ...known } = news;
            if (failures.length > 0 || Object.keys(olds).length > 0 || containsUnknown(known) || !context.clusterKnown()) {
                // Only a Secret about to be created is checked against the cluster; an update checks when it writes.
                return { inputs: news, failures };
            }
            const inputs = readPullSecretProps(news);
            const { api } = context.connection();
            let existing: Awaited<ReturnType<typeof readSecret>>;
            try {
                const namespaceFailure = await namespaceProblem(api, inputs.namespace, inputs.namespaceCreatedByStack);
                if (namespaceFailure) return { inputs: news, failures: [namespaceFailure] };
                existing = await readSecret(api, inputs.namespace, inputs.secretName);
            } catch (error) {
                if (!unanswered(error)) throw error;
                // As pulumi-kubernetes does with a cluster it cannot reach: the preview warns and goes on, and
                // the create fails as a step of its own, so that `pulumi up --continue-on-error` still applies
                // every other cluster of the stack (a failed check would stop the whole update).
                // Named by the resource (its name ends in `.<cluster>` in a fleet): a check's warning reaches the CLI as the stack's.
                warn(
                    `${call ? `${nameOfUrn(call.urn)}: ` : ""}${error instanceof Error ? error.message : String(error)}: the cluster did not answer, so the namespace and ` +
                        `Secret ${inputs.namespace}/${inputs.secretName} were not checked; creating it fails unless the cluster answers by then`,
                );
                return { inputs: news, failures };
            }
            const stackIdentity = containsUnknown(identity) ? identityToBeMade : inputs.stackIdentity;
            const decision = decideWrite(existing, { stack: inputs.owner, stackIdentity }, { operation: "create", ...inputs });
            if (decision.action === "refuse") failures.push({ property: "secretName", reason: decision.reason });
            return { inputs: news, failures };
        },

        async diff(_id, outputs, news, oldInputs): Promise<DiffOutcome> {
            // Outputs win: a digest refresh read from the cluster replaces the one the inputs asked for.
            const olds = { ...oldInputs, ...outputs };
            const before = readPullSecretProps(olds);
            const after = readPullSecretProps(news);
            const replaces = (["namespace", "secretName"] as const).filter((key) => before[key] !== after[key]);
            if (isLegacyState(olds)) {
                // Written by the Kubernetes provider: rewritten in place once, as this resource type.
                return { changes: true, replaces, diffs: [...changeKeys] };
            }
            const diffs: string[] = changeKeys.filter((key) => containsUnknown(news[key]) || JSON.stringify(before[key]) !== JSON.stringify(after[key]));
            // Refresh found our entry missing from a ServiceAccount (removed by hand): an update puts it back.
            if (!containsUnknown(news.serviceAccounts) && after.serviceAccounts.some((sa) => !before.attached.includes(sa))) {
                diffs.push("attached");
            }
            // State of 0.2.0 or earlier has no owner id yet: an update puts it on the Secret. Refresh found
            // another owner holding it: the update refuses to take it back without adopt.
            if (before.ownerId === undefined || before.heldBy !== undefined) diffs.push("ownerId");
            if (isKeyless(after) && isKeyless(before) && replaces.length === 0 && context.clusterKnown()) {
                // A preview is where an operator looks: say so if the refresher has stopped keeping the token alive.
                // Only a warning; a cluster that cannot be read here fails the update itself, not its preview.
                try {
                    warnIfUnhealthy(await readSecret(context.connection().api, after.namespace, after.secretName));
                } catch {
                    // The update's own reads report an unreachable cluster.
                }
            }
            // A digest refresh read (content edited by hand) shows against ours, not our unchanged input against itself.
            const found = stringProperty(outputs, "dockerConfigDigest");
            const observed =
                diffs.includes("dockerConfigDigest") &&
                found !== undefined &&
                oldInputs !== undefined &&
                found !== stringProperty(oldInputs, "dockerConfigDigest")
                    ? ["dockerConfigDigest"]
                    : [];
            return { changes: diffs.length > 0, replaces, diffs, ...(observed.length > 0 ? { observed } : {}) };
        },

        async create(props, call) {
            const inputs = readPullSecretProps(props);
            const ownerId = randomUUID();
            const id = `${inputs.namespace}/${inputs.secretName}`;
            const written = await writeSecret(
                context,
                inputs,
                { ownerId, urn: call?.urn ?? "" },
                { ownerId, stack: inputs.owner, stackIdentity: inputs.stackIdentity },
                "create",
            );
            const { attached, errors } = await writeEntries(context, inputs, written.inherited);
            const outs = pullSecretOutputs(inputs, ownerId, written.uid, attached, written.adoptedUid);
            if (errors.length > 0) {
                // The Secret exists and is ours: the engine must record it, or nothing would ever delete it.
                throw new ResourceInitError(entriesFailure(`Secret ${id} was written, but not every ServiceAccount lists it`, errors), id, outs);
            }
            return { id, outs };
        },

        async read(id, props, inputs, call) {
            if (Object.keys(props).length === 0 && !inputs) {
                return importedPullSecret(context, id, projectStackOfUrn(call?.urn ?? ""));
            }
            const known = readPullSecretProps(props);
            const expected = inputs ? readPullSecretProps(inputs) : undefined;
            const { api } = context.connection();
            const live = await readSecret(api, known.namespace, known.secretName);
            const claimant: Claimant = { ownerId: known.ownerId, stack: expected?.owner || projectStackOfUrn(call?.urn ?? ""), uid: known.uid };
            const decision = decideRead(live, claimant);
            if (decision.action === "gone" || !live) {
                return { props: {} };
            }
            // Drift in the content shows as a changed digest, and the next update writes ours back;
            // a keyless Secret's content is the refresher's, so it is never compared.
            const contentOwned = !(expected && isKeyless(expected));
            if (!contentOwned || isKeyless(known)) warnIfUnhealthy(live);
            const digest = contentOwned ? liveDigest(live) : undefined;
            const drift = digest !== undefined && digest !== (expected?.dockerConfigDigest ?? "") ? { dockerConfigDigest: digest } : {};
            const attached = await liveEntries(api, known.namespace, known.secretName, known.serviceAccounts);
            const heldBy = decision.action === "heldBy" ? { heldBy: describeOwner(decision.owner) } : {};
            if (isLegacyState(props)) {
                return { id, props: { ...pullSecretOutputs(known, "", live.metadata?.uid, attached), ...drift } };
            }
            const { dockerConfigDigest: _stale, heldBy: _held, ...rest } = props;
            return { id, props: { ...rest, uid: live.metadata?.uid, attached, ...drift, ...heldBy } };
        },

        async update(id, olds, news, oldInputs, call) {
            const inputs = readPullSecretProps(news);
            const before: PullSecretState = readPullSecretProps({ ...oldInputs, ...olds });
            // State of 0.2.0 or earlier has no owner id: the Secret it recorded (by uid) gets one now.
            const ownerId = before.ownerId ?? randomUUID();
            const claimant: Claimant = { ownerId: before.ownerId, stack: inputs.owner, stackIdentity: inputs.stackIdentity, uid: before.uid };
            const written = await writeSecret(context, inputs, { ownerId, urn: call?.urn ?? "" }, claimant, "update");
            const { attached, errors } = await writeEntries(context, inputs, [...before.serviceAccounts, ...written.inherited]);
            const outs = pullSecretOutputs(inputs, ownerId, written.uid ?? before.uid, attached, written.adoptedUid ?? stringProperty(olds, "adoptedUid"));
            if (errors.length > 0) {
                throw new ResourceInitError(entriesFailure(`Secret ${id} was written, but not every ServiceAccount entry is right`, errors), id, outs);
            }
            return { outs };
        },

        async delete(id, props, call, oldInputs) {
            const known = readPullSecretProps(props);
            const claimant: Claimant = { ownerId: known.ownerId, stack: projectStackOfUrn(call?.urn ?? ""), uid: known.uid };
            const left = await releaseSecret(context, known, claimant);
            // The resource that replaced this one (same URN, same stack) took it over: nothing to say. The same URN
            // in a stack of another identity is a namesake in another backend that adopted it: worth a warning.
            const identity = oldInputs ? readPullSecretProps(oldInputs).stackIdentity : undefined;
            const replacedHere = left?.urn === call?.urn && (left?.stackIdentity === undefined || identity === undefined || left?.stackIdentity === identity);
            if (left && !replacedHere) {
                warn(
                    `Secret ${id} is owned by ${describeOwner(left)}, not by this resource: removed from the state only, the Secret and its entries are left as they are.`,
                );
            }
        },
    };
}
