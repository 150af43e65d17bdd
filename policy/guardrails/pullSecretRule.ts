/** Rule pull-secret-is-dockerconfigjson-and-secret. */
import { describeObject, dockerConfigJsonType, isPullSecret, ResourceFacts, resourceTypes, Violation } from "./facts";

/**
 * Pull secrets are `kubernetes.io/dockerconfigjson` Secrets whose data the engine stores encrypted.
 * A PullSecret is always of that type and carries no data in state (only a secret digest; the
 * content is the provider's secret configuration), so this looks at Kubernetes Secrets only.
 */
export function pullSecretViolations(resource: ResourceFacts): Violation[] {
    if (!isPullSecret(resource) || resource.type === resourceTypes.pullSecret) {
        return [];
    }
    const violations: Violation[] = [];
    const what = `Pull secret ${describeObject(resource)}`;
    const type = resource.props.type;
    if (type !== dockerConfigJsonType) {
        violations.push({
            message:
                `${what} has type ${type === undefined ? "(none, which Kubernetes treats as Opaque)" : `"${String(type)}"`}; ` +
                `a pull secret must be type "${dockerConfigJsonType}" with a ".dockerconfigjson" key, ` +
                "or the kubelet ignores it when pulling images.",
        });
    }
    const secretOutputs = resource.additionalSecretOutputs ?? [];
    for (const field of ["data", "stringData"]) {
        const present = Object.prototype.hasOwnProperty.call(resource.props, field);
        if (present && !secretOutputs.includes(field)) {
            violations.push({
                message:
                    `${what} does not mark "${field}" as secret (additionalSecretOutputs lacks "${field}"), so the ` +
                    "registry key would be stored in plain text in the Pulumi state. Create it with " +
                    `@pulumi/kubernetes core.v1.Secret, which marks data and stringData secret, or add "${field}" to additionalSecretOutputs.`,
            });
        }
    }
    if (!Object.prototype.hasOwnProperty.call(resource.props, "data") && !Object.prototype.hasOwnProperty.call(resource.props, "stringData")) {
        violations.push({ message: `${what} has neither data nor stringData; it carries no registry credentials.` });
    }
    return violations;
}
