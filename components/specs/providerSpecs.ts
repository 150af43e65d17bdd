/**
 * The providers the component makes: its own `gcr-pull-secrets` provider, which holds the key once,
 * builds the docker config from it and writes every pull Secret; a second instance of it that only reads the cluster
 * (for selectors); and a Kubernetes provider for the Namespaces and the refresher's objects.
 */
import { foreignTypes, legacyTypes } from "../contract";
import { Plan } from "../plan";
import { clusterLookups } from "../selectNamespaces";
import { registriesSetting } from "../providerKey";
import { googleKeys } from "./googleSpecs";
import { KeySource, ref, ResourceSpec, SpecContext, SpecValue } from "./resourceSpec";

/** The keys of the provider specs. */
export const providerKeys = { pullSecrets: "provider", clusterReader: "clusterReader", kubernetes: "kubernetes" } as const;

/** Where the docker config's key comes from; undefined in keyless mode, where there is none. */
export function dockerConfigKey(plan: Plan): KeySource | undefined {
    if (plan.credentials.kind === "keyless") return undefined;
    return plan.credentials.kind === "jsonKey" ? "jsonKey" : ref(googleKeys.key, "privateKey");
}

/**
 * What the provider builds the docker config from: the key exactly as the stack holds it, the
 * registries and the username; never the docker config itself, whose `auth` field (base64 of the
 * key) the CLI cannot mask in its logs (components/providerKey.ts). Keyless: no key at all.
 */
function keyInputs(plan: Plan): { [name: string]: SpecValue } {
    const key = dockerConfigKey(plan);
    if (!key) return { keyless: true };
    return {
        ...(key === "jsonKey" ? { jsonKey: { $secret: "jsonKey" as const } } : { privateKey: key }),
        registries: registriesSetting(plan.registryHosts),
        username: plan.username,
    };
}

/** The cluster connection, as both provider kinds take it (clusterIdentifier too: both then replace alike). */
function connection(plan: Plan, context: SpecContext) {
    return {
        ...(context.kubeconfig ? { kubeconfig: { $secret: "kubeconfig" as const } } : {}),
        ...(plan.kubeContext ? { context: plan.kubeContext } : {}),
        ...(plan.clusterIdentifier ? { clusterIdentifier: plan.clusterIdentifier } : {}),
    };
}

/** The `gcr-pull-secrets` provider, and the cluster reader when the plan reads the cluster. */
export function providerSpecs(plan: Plan, context: SpecContext): ResourceSpec[] {
    const specs: ResourceSpec[] = [
        {
            key: providerKeys.pullSecrets,
            name: context.name,
            type: foreignTypes.provider,
            // Keyless: no key in the stack; the in-cluster refresher writes the Secrets' content.
            inputs: { ...keyInputs(plan), ...connection(plan, context) },
            options: context.upgradeFrom01
                ? // 0.1's entries and guards name the default dynamic provider; taking it over sends their
                  // deletes here (provider/legacyResources.ts) rather than to the code 0.1 stored in the state.
                  { aliases: [`urn:pulumi:${context.stack}::${context.project}::${legacyTypes.dynamicProvider}::default`] }
                : {},
        },
    ];
    if (clusterLookups(plan)) {
        // Its own instance, without the key: that one is unknown in a preview that makes or
        // rotates a key, and the engine answers no function call of a provider whose configuration is
        // not fully known.
        specs.push({
            key: providerKeys.clusterReader,
            name: `${context.name}-cluster`,
            type: foreignTypes.provider,
            inputs: connection(plan, context),
            options: {},
        });
    }
    return specs;
}

/**
 * The Kubernetes provider, when something needs it (a namespace the stack creates, or the
 * refresher) and the caller passed none.
 */
export function kubernetesProviderSpecs(plan: Plan, context: SpecContext, targets: readonly { create: boolean }[]): ResourceSpec[] {
    if (context.callersKubernetes || !(targets.some((target) => target.create) || plan.credentials.kind === "keyless")) return [];
    return [
        {
            key: providerKeys.kubernetes,
            name: context.name,
            type: foreignTypes.kubernetesProvider,
            inputs: {
                // Kept from earlier versions (which wrote Secrets through it) so that their provider is unchanged.
                enableSecretMutable: true,
                ...connection(plan, context),
                // `create: true` on a namespace that already exists takes it over (never deleting it:
                // retainOnDelete). The Kubernetes provider before 4.29 does that by itself (server-side
                // apply upserts); 4.29+ refuses with AlreadyExists unless upsertExistingObjects. 4.25's
                // plugin ignores it.
                upsertExistingObjects: "true",
            },
            options: {},
        },
    ];
}
