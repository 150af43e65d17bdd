/**
 * The rotation section: `rotationDays` and `rotationTrigger`, which replace a key this program mints.
 */
import { GcrPullSecretsArgs } from "../gcrPullSecretsArgs";
import { rotationWindow } from "../rotation";
import { Checker } from "./checker";
import { CredentialPlan, RotationPlan } from "../plan";

/**
 * Checks the rotation settings. Undefined when there is no key to rotate: a supplied key or keyless
 * (where setting either is refused), or no single credential source.
 */
export function planRotation(args: GcrPullSecretsArgs, checker: Checker, sourceKind: CredentialPlan["kind"] | undefined, now: Date): RotationPlan | undefined {
    const daysField = checker.setting("rotationDays", args.rotationDays);
    const triggerField = checker.setting("rotationTrigger", args.rotationTrigger);
    const days = checker.integer(daysField, { fallback: 90, min: 0, max: 3650, unit: "days" });
    const trigger = checker.text(triggerField, { what: "any text", example: "2025-06-rotation", allowEmpty: true }) ?? "";
    if (sourceKind === "jsonKey" || sourceKind === "keyless") {
        for (const [field, set] of [
            [daysField, checker.isSet(daysField)],
            // The CLI hands the declared default "" over when the stack does not set it.
            [triggerField, checker.isSet(triggerField) && triggerField.value !== ""],
        ] as const) {
            if (set) {
                checker.fail(
                    field,
                    sourceKind === "jsonKey"
                        ? `applies only to service accounts and keys this program manages, and jsonKey is set; ${checker.howToRemove(field)} (rotate a supplied key by setting a new jsonKey)`
                        : `applies only to service accounts and keys this program manages, and keyless is set: there is no key to rotate (the refresher replaces the token every run); ${checker.howToRemove(field)}`,
                );
            }
        }
        return undefined;
    }
    return sourceKind ? { days, window: rotationWindow(now, days), trigger } : undefined;
}
