/**
 * Pulumi property values as a provider receives them over gRPC (google.protobuf.Struct), turned
 * into plain JavaScript and back. The engine marks a secret with a signature object and an unknown
 * value (during preview) with a sentinel string; see sdk/go/common/resource/plugin/rpc.go. The
 * marks are the SDK's own constants (runtime/rpc), not copies.
 */
import { specialSecretSig, specialSigKey, unknownValue } from "@pulumi/pulumi/runtime/rpc";

/** What the engine sends in place of a value that is not known yet (preview). */
export { unknownValue };

/** True for the engine's "not known yet" sentinel. */
export function isUnknown(value: unknown): boolean {
    return value === unknownValue;
}

/** True for a value wrapped as a Pulumi secret. */
export function isSecretValue(value: unknown): value is { value: unknown } {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[specialSigKey] === specialSecretSig;
}

/** Wraps a value so the engine stores and shows it as a secret. */
export function secretValue(value: unknown): unknown {
    return { [specialSigKey]: specialSecretSig, value };
}

/** The value inside a secret wrapper (or the value itself when it is not one). */
export function revealed(value: unknown): unknown {
    return isSecretValue(value) ? value.value : value;
}

/** A property as a string, or undefined when it is missing, unknown or not a string. */
export function stringProperty(props: Record<string, unknown>, key: string): string | undefined {
    const value = revealed(props[key]);
    return typeof value === "string" && !isUnknown(value) ? value : undefined;
}

/** True when the property, or anything inside it, is not known yet. */
export function containsUnknown(value: unknown): boolean {
    const inner = revealed(value);
    if (isUnknown(inner)) return true;
    if (Array.isArray(inner)) return inner.some(containsUnknown);
    if (typeof inner === "object" && inner !== null) return Object.values(inner).some(containsUnknown);
    return false;
}
