/**
 * Plan -> the spec of every resource the component declares: name, type, the inputs known before
 * deployment, references to other resources' outputs, and the options that matter. Pure; the
 * component only turns these specs into resources (components/specResources.ts).
 *
 * Two steps, because which namespaces get a Secret may depend on the cluster: what comes before
 * the namespaces are known (the Google side and the providers, including the one that reads the
 * cluster), and what each namespace gets once they are.
 */
import { Plan } from "../plan";
import { NamespaceTarget } from "../selectNamespaces";
import { managedKeySpecs } from "./googleSpecs";
import { keylessGoogleSpecs } from "./keylessGoogleSpecs";
import { namespaceSpecs } from "./namespaceSpecs";
import { kubernetesProviderSpecs, providerSpecs } from "./providerSpecs";
import { refresherSpecs } from "./refresherSpecs";
import { ResourceSpec, SpecContext } from "./resourceSpec";

/** What the plan declares whatever the namespaces: a minted key's Google side, the providers, keyless mode's Google side. */
export function specsBeforeNamespaces(plan: Plan, context: SpecContext): ResourceSpec[] {
    return [...managedKeySpecs(plan, context), ...providerSpecs(plan, context), ...keylessGoogleSpecs(plan, context).specs];
}

/** What the namespaces this run covers get: the Kubernetes provider if needed, Namespaces, PullSecrets, the refresher. */
export function specsForNamespaces(plan: Plan, context: SpecContext, targets: readonly NamespaceTarget[]): ResourceSpec[] {
    return [...kubernetesProviderSpecs(plan, context, targets), ...namespaceSpecs(plan, context, targets), ...refresherSpecs(plan, context, targets)];
}

/** Every resource, in an order where each comes after everything it names. */
export function resourceSpecs(plan: Plan, context: SpecContext, targets: readonly NamespaceTarget[]): ResourceSpec[] {
    return [...specsBeforeNamespaces(plan, context), ...specsForNamespaces(plan, context, targets)];
}
