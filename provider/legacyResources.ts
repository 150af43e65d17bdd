/**
 * What this provider does for the resources 0.1 kept through dynamic providers, once a stack is
 * upgraded. The component's provider takes over 0.1's default `pulumi-nodejs` provider through an
 * alias, so the engine sends the deletes of 0.1's retired entries and guards here instead of running
 * the code 0.1 stored in the state. Only deletes ever arrive: nothing declares these types any more.
 *
 * - A guard only looked: nothing to undo.
 * - An entry: its ServiceAccount entry now belongs to the namespace's PullSecret, which took over
 *   the Secret earlier in the same update (and dropped 0.1's patchForce annotation from it). It is
 *   removed only when no PullSecret took the Secret over: the namespace left the stack in the same
 *   update, and the Secret (still 0.1's) is about to be deleted too.
 */
import { legacyPatchForceAnnotation } from "../components/contract";
import { withoutPullSecret } from "../components/imagePullSecrets";
import { Connection, readSecret } from "./kubeApi";
import { stringProperty } from "./propertyValues";
import { ResourceHandler } from "./resourceHandler";
import { changePullSecrets } from "./serviceAccountEntry";

function onlyDeletes(type: string, remove: ResourceHandler["delete"]): ResourceHandler {
    const refuse = async (): Promise<never> => {
        throw new Error(`${type} is a resource type of gcr-pull-secrets 0.1; it can only be deleted (upgrade the program that declares it)`);
    };
    return { check: refuse, diff: refuse, create: refuse, read: refuse, update: refuse, delete: remove };
}

/** Handlers for 0.1's dynamic resource types. */
export function legacyHandlers(connection: () => Connection, types: { guard: string; entry: string }): Record<string, ResourceHandler> {
    return {
        [types.guard]: onlyDeletes(types.guard, async () => undefined),
        [types.entry]: onlyDeletes(types.entry, async (_id, props) => {
            const namespace = stringProperty(props, "namespace") ?? "";
            const serviceAccount = stringProperty(props, "serviceAccount") ?? "";
            const secretName = stringProperty(props, "secretName") ?? "";
            const { api, mergePatch } = connection();
            const secret = await readSecret(api, namespace, secretName);
            if (secret && secret.metadata?.annotations?.[legacyPatchForceAnnotation] === undefined) {
                return; // Taken over by this version's PullSecret: the entry is its now.
            }
            await changePullSecrets(
                { api, mergePatch },
                { namespace, serviceAccount, secretName, waitSeconds: 0 },
                (list) => withoutPullSecret(list, secretName),
                "skip",
            );
        }),
    };
}
