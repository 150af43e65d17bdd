/*
 * The gcr-pull-secrets guardrails as a Pulumi policy pack. Rules live in ./rules.ts; this file only
 * names them and connects them to the engine. Run with:
 *   pulumi preview --policy-pack policy --policy-pack-config policy/config.json
 * See docs/pipelines.md ("Policy pack") for what each rule checks and how a stack opts in.
 */
import { PolicyPack, ReportViolation, ResourceValidationArgs } from "@pulumi/policy";
import {
    defaultMaxRotationDays,
    defaultProdStackPattern,
    iamViolations,
    keyRotationViolations,
    ProdRotationConfig,
    prodManagedKeyViolations,
    pullSecretViolations,
    ResourceFacts,
    SystemNamespaceConfig,
    systemNamespaceViolations,
    Violation,
} from "./rules";

function factsOf(args: ResourceValidationArgs): ResourceFacts {
    return { type: args.type, urn: args.urn, props: args.props, additionalSecretOutputs: args.opts.additionalSecretOutputs };
}

function report(violations: Violation[], reportViolation: ReportViolation): void {
    for (const violation of violations) {
        reportViolation(violation.message, violation.urn);
    }
}

const prodRotationSchema = {
    prodStackPattern: {
        type: "string" as const,
        default: defaultProdStackPattern,
        description: "Regular expression over the stack name that marks production stacks.",
    },
};

new PolicyPack("gcr-pull-secrets-guardrails", {
    enforcementLevel: "mandatory",
    policies: [
        {
            name: "pull-secret-is-dockerconfigjson-and-secret",
            description: "Pull secrets are kubernetes.io/dockerconfigjson Secrets whose data is stored as a Pulumi secret.",
            validateResource: (args, reportViolation) => report(pullSecretViolations(factsOf(args)), reportViolation),
        },
        {
            name: "system-namespaces-need-opt-in",
            description: "Nothing is written to kube-system, kube-public or kube-node-lease unless the stack is listed in allowedStacks.",
            configSchema: {
                properties: {
                    allowedStacks: {
                        type: "array",
                        items: { type: "string" },
                        default: [],
                        description: "Stacks that may write pull secrets into system namespaces.",
                    },
                },
            },
            validateResource: (args, reportViolation) =>
                report(systemNamespaceViolations(factsOf(args), args.getConfig<SystemNamespaceConfig>()), reportViolation),
        },
        {
            name: "registry-read-only-iam",
            description:
                "Google IAM grants are only roles/artifactregistry.reader on repositories or the project and roles/storage.objectViewer on buckets; no other role or IAM resource.",
            validateResource: (args, reportViolation) => report(iamViolations(factsOf(args)), reportViolation),
        },
        {
            name: "prod-key-rotation",
            description: `Service account keys in prod stacks rotate at least every ${defaultMaxRotationDays} days (keepers.rotationDays).`,
            configSchema: {
                properties: {
                    ...prodRotationSchema,
                    maxRotationDays: {
                        type: "integer",
                        minimum: 1,
                        default: defaultMaxRotationDays,
                        description: "Longest allowed rotation period for prod keys, in days.",
                    },
                },
            },
            validateResource: (args, reportViolation) => report(keyRotationViolations(factsOf(args), args.getConfig<ProdRotationConfig>()), reportViolation),
        },
        {
            name: "prod-uses-managed-key",
            description: "Prod stacks get pull secrets from a key this program mints and rotates, not from a supplied jsonKey.",
            configSchema: { properties: prodRotationSchema },
            validateResource: (args, reportViolation) => report(prodManagedKeyViolations(factsOf(args), args.getConfig<ProdRotationConfig>()), reportViolation),
        },
    ],
});
