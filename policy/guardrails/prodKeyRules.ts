/** Rules prod-key-rotation and prod-uses-managed-key: how a prod stack's keys rotate. */
import { stackOfUrn } from "../../components/urn";
import { describePullSecret, isPullSecret, keySourceAnnotation, known, metadataOf, ResourceFacts, resourceTypes, Violation } from "./facts";

/** Stacks whose names match this are production: prod, production, prod-eu, prod_us1, ... */
export const defaultProdStackPattern = "^prod(uction)?([-_.].*)?$";
export const defaultMaxRotationDays = 90;

export interface ProdRotationConfig {
    /** Regular expression over the stack name; default {@link defaultProdStackPattern}. */
    prodStackPattern?: string;
    /** Longest allowed rotation period in prod, in days; default {@link defaultMaxRotationDays}. */
    maxRotationDays?: number;
}

export function isProdStack(stack: string, pattern: string = defaultProdStackPattern): boolean {
    return new RegExp(pattern).test(stack);
}

/**
 * In prod, every key this program manages rotates at least every `maxRotationDays` days. The key's
 * `keepers.rotationDays` is the period (a string, "0" = never); a key lives at most that long plus
 * the time until the next `pulumi up`, which is why deploy.yml also runs on a schedule.
 */
export function keyRotationViolations(resource: ResourceFacts, config: ProdRotationConfig = {}): Violation[] {
    if (resource.type !== resourceTypes.key) {
        return [];
    }
    const stack = stackOfUrn(resource.urn);
    if (!isProdStack(stack, config.prodStackPattern)) {
        return [];
    }
    const maxDays = config.maxRotationDays ?? defaultMaxRotationDays;
    const fix = `set gcr-pull-secrets:rotationDays to a whole number from 1 to ${maxDays} in Pulumi.${stack}.yaml`;
    const keepers = resource.props.keepers;
    const raw = keepers && typeof keepers === "object" ? (keepers as Record<string, unknown>).rotationDays : undefined;
    if (raw === undefined || raw === null || raw === "") {
        return [{ message: `The service account key in prod stack "${stack}" has no keepers.rotationDays, so its rotation period cannot be checked; ${fix}.` }];
    }
    const text = String(raw).trim();
    const days = /^\d+$/.test(text) ? Number(text) : NaN;
    if (Number.isNaN(days)) {
        return [{ message: `The service account key in prod stack "${stack}" has keepers.rotationDays "${text}", not a whole number of days; ${fix}.` }];
    }
    if (days === 0) {
        return [
            {
                message: `The service account key in prod stack "${stack}" is never rotated (rotationDays 0); prod keys must rotate at least every ${maxDays} days: ${fix}.`,
            },
        ];
    }
    if (days > maxDays) {
        return [
            {
                message: `The service account key in prod stack "${stack}" rotates every ${days} days; prod keys must rotate at least every ${maxDays} days: ${fix}.`,
            },
        ];
    }
    return [];
}

/**
 * A prod stack's pull secrets must come from a key this program manages (or no key: keyless). A supplied `jsonKey` has an
 * age nobody here can see and is never replaced by `pulumi up`, so the rotation rule could only be
 * met by luck; prod fails closed. Checked per Secret (from the key-source annotation the component
 * writes) so that the Secret is refused before it is written, also by `pulumi up --skip-preview`; a
 * pull secret without that annotation (made outside the component) cannot prove a managed key and
 * is refused too. (An explicit, reviewable way out is the policy config:
 * `"prod-uses-managed-key": "advisory"` in policy/config.json.)
 */
export function prodManagedKeyViolations(resource: ResourceFacts, config: Pick<ProdRotationConfig, "prodStackPattern"> = {}): Violation[] {
    if (!isPullSecret(resource)) {
        return [];
    }
    const stack = stackOfUrn(resource.urn);
    if (!isProdStack(stack, config.prodStackPattern)) {
        return [];
    }
    const annotations = known(() => (metadataOf(resource.props, true) as { annotations?: Record<string, unknown> }).annotations);
    const source = resource.type === resourceTypes.pullSecret ? known(() => resource.props.keySource) : known(() => annotations?.[keySourceAnnotation]);
    // Keyless Secrets hold one-hour tokens and no key at all: nothing to rotate.
    if (source === "managed" || source === "keyless") {
        return [];
    }
    return [
        {
            message:
                `Prod stack "${stack}" writes pull secret ${describePullSecret(resource)} from ` +
                (source === "supplied" ? "a supplied jsonKey" : "a key of unknown origin (no gcr-pull-secrets.dev/key-source annotation)") +
                ", which this program cannot rotate, so the rotation rule cannot be met. Use gcr-pull-secrets:serviceAccount (create an account) or " +
                "gcr-pull-secrets:existingServiceAccountEmail, so that the program mints the key and replaces it on schedule.",
        },
    ];
}
