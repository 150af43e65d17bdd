/**
 * Reading Pulumi URNs (`urn:pulumi:<stack>::<project>::<type chain>::<name>`) and provider
 * references (`<urn>::<id>`), for the provider plugin and the policy pack alike. @pulumi/pulumi
 * parses them too, but only in functions it keeps internal (`parseResourceReference` is marked
 * `@internal` and missing from its type declarations), so they cannot be imported.
 */

/** The parts of a URN. */
export interface UrnParts {
    /** The stack the resource belongs to. */
    stack: string;
    /** The project the resource belongs to. */
    project: string;
    /** The type tokens of the resource's parents, outermost first, then its own type token. */
    typeChain: string[];
    /** The resource's name. */
    name: string;
}

const urnPrefix = "urn:pulumi:";

/** A URN's parts; undefined for anything that is not a Pulumi URN. */
export function parseUrn(urn: string): UrnParts | undefined {
    if (!urn.startsWith(urnPrefix)) {
        return undefined;
    }
    const parts = urn.slice(urnPrefix.length).split("::");
    if (parts.length < 4) {
        return undefined;
    }
    const [stack, project, qualifiedType] = parts;
    // The name may itself contain "::", so it is everything after the third separator.
    return { stack, project, typeChain: qualifiedType.split("$"), name: parts.slice(3).join("::") };
}

/** The resource's own type token (the last of the type chain), or "" when `urn` is not a Pulumi URN. */
export function typeOfUrn(urn: string): string {
    return parseUrn(urn)?.typeChain.at(-1) ?? "";
}

/** The stack a URN belongs to, or "" when it is not a Pulumi URN. */
export function stackOfUrn(urn: string): string {
    return parseUrn(urn)?.stack ?? "";
}

/** `<project>/<stack>` of a URN (how a pull Secret names the stack that owns it), or "" when it is not a Pulumi URN. */
export function projectStackOfUrn(urn: string): string {
    const parts = parseUrn(urn);
    return parts ? `${parts.project}/${parts.stack}` : "";
}

/** The resource's name, or `urn` itself when it is not a Pulumi URN. */
export function nameOfUrn(urn: string): string {
    return parseUrn(urn)?.name ?? urn;
}

/** A provider reference's URN and id: the id follows the last "::", as the SDK reads it. */
export function parseProviderReference(reference: string): { urn: string; id: string } {
    const separator = reference.lastIndexOf("::");
    return separator === -1 ? { urn: reference, id: "" } : { urn: reference.slice(0, separator), id: reference.slice(separator + 2) };
}

/** The package a provider type token names (`pulumi:providers:<package>`), or "" for another token. */
export function packageOfProviderType(type: string): string {
    const prefix = "pulumi:providers:";
    return type.startsWith(prefix) ? type.slice(prefix.length) : "";
}
