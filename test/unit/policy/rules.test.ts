// The shared Pulumi mocks come first (setMocks is process-global; program code is imported after it).
import { isSecretInput, recorded, resetRecorded, settle } from "../mocks";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import * as yaml from "js-yaml";
import { unknownCheckingProxy, UnknownValueError } from "@pulumi/policy";
import { argsFromStackConfig } from "../../../components/config";
import { roles, systemNamespaces } from "../../../components/contract";
import { GcrPullSecrets } from "../../../components/gcrPullSecrets";
import { GcrPullSecretsArgs } from "../../../components/gcrPullSecretsArgs";
import { sampleKeyJson } from "../fixtures";
import {
    componentType,
    iamViolations,
    isIamGrant,
    isPullSecret,
    isProdStack,
    keyRotationViolations,
    keySourceAnnotation,
    prodManagedKeyViolations,
    pullSecretViolations,
    ResourceFacts,
    resourceTypes,
    systemNamespaceViolations,
    Violation,
} from "../../../policy/rules";

// The sentinels the policy server puts where a value is unknown during preview (internal to
// @pulumi/policy, so read at run time; the rules must survive them).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { unknownStringValue, unknownObjectValue } = require("@pulumi/policy/proxy") as { unknownStringValue: string; unknownObjectValue: string };

const project = "gcr-pull-secrets";

function urnOf(stack: string, type: string, name: string, parentType?: string): string {
    return `urn:pulumi:${stack}::${project}::${parentType ? `${parentType}$` : ""}${type}::${name}`;
}

/** A pull secret as @pulumi/kubernetes registers it from the component. */
function pullSecret(
    overrides: { stack?: string; namespace?: string; props?: Record<string, unknown>; additionalSecretOutputs?: string[]; parentType?: string } = {},
): ResourceFacts {
    const namespace = overrides.namespace ?? "apps";
    return {
        type: resourceTypes.secret,
        urn: urnOf(overrides.stack ?? "staging", resourceTypes.secret, `pull-${namespace}`, overrides.parentType ?? componentType),
        props: {
            apiVersion: "v1",
            kind: "Secret",
            type: "kubernetes.io/dockerconfigjson",
            metadata: { name: "regcred", namespace, labels: { "app.kubernetes.io/part-of": "gcr-pull-secrets" } },
            data: { ".dockerconfigjson": "eyJhdXRocyI6e319" },
            ...overrides.props,
        },
        additionalSecretOutputs: overrides.additionalSecretOutputs ?? ["data", "stringData"],
    };
}

function key(stack: string, keepers: unknown): ResourceFacts {
    return { type: resourceTypes.key, urn: urnOf(stack, resourceTypes.key, "puller-key", componentType), props: { serviceAccountId: "x", keepers } };
}

function grant(type: string, role: unknown, stack = "prod"): ResourceFacts {
    return { type, urn: urnOf(stack, type, "grant", componentType), props: { role, member: "serviceAccount:puller@acme.iam.gserviceaccount.com" } };
}

function messages(violations: { message: string }[]): string[] {
    return violations.map((v) => v.message);
}

describe("policy: the stack, read from URNs, tells the rules whether it is prod", () => {
    it("treats prod, production and prod-<region> as prod, and nothing else", () => {
        for (const stack of ["prod", "production", "prod-eu", "prod_us1", "prod.blue"]) {
            assert.equal(isProdStack(stack), true, stack);
        }
        for (const stack of ["dev", "staging", "preprod", "product", "nonprod", "prodx"]) {
            assert.equal(isProdStack(stack), false, stack);
        }
    });
});

describe("policy pull-secret-is-dockerconfigjson-and-secret", () => {
    it("passes the Secret the component writes", () => {
        assert.deepEqual(pullSecretViolations(pullSecret()), []);
    });

    it("refuses a pull secret of type Opaque, naming the namespace and the required type", () => {
        const [message, ...rest] = messages(pullSecretViolations(pullSecret({ props: { type: "Opaque" } })));
        assert.deepEqual(rest, []);
        assert.match(message, /"apps\/regcred" has type "Opaque"/);
        assert.match(message, /kubernetes\.io\/dockerconfigjson/);
    });

    it("refuses a pull secret with no type (Opaque to Kubernetes)", () => {
        const secret = pullSecret();
        delete secret.props.type;
        assert.match(messages(pullSecretViolations(secret)).join("\n"), /has type \(none/);
    });

    it("refuses data that the engine would store in plain text", () => {
        const found = messages(pullSecretViolations(pullSecret({ additionalSecretOutputs: [] })));
        assert.equal(found.length, 1);
        assert.match(found[0], /does not mark "data" as secret/);
        assert.match(found[0], /plain text in the Pulumi state/);
    });

    it("checks stringData separately from data", () => {
        const secret = pullSecret({ props: { stringData: { ".dockerconfigjson": "{}" } }, additionalSecretOutputs: ["data"] });
        assert.deepEqual(
            messages(pullSecretViolations(secret)).map((m) => /"(\w+)" as secret/.exec(m)?.[1]),
            ["stringData"],
        );
    });

    it("refuses a pull secret without any credentials", () => {
        const secret = pullSecret();
        delete secret.props.data;
        assert.match(messages(pullSecretViolations(secret)).join("\n"), /neither data nor stringData/);
    });

    it("recognises a labelled Secret created outside the component", () => {
        const secret = pullSecret({ parentType: "pulumi:pulumi:Stack", props: { type: "Opaque" } });
        assert.equal(pullSecretViolations(secret).length, 1);
    });

    it("leaves other Secrets alone", () => {
        const other = pullSecret({ parentType: "pulumi:pulumi:Stack", props: { type: "Opaque", metadata: { name: "tls", namespace: "apps" } } });
        assert.deepEqual(pullSecretViolations(other), []);
        assert.deepEqual(pullSecretViolations({ ...pullSecret(), type: resourceTypes.namespace }), []);
    });

    it("still checks type and secretness while the key and the name are unknown during preview", () => {
        const previewed = pullSecret({
            props: { type: "Opaque", data: unknownObjectValue, metadata: { name: unknownStringValue, namespace: "apps" } },
            additionalSecretOutputs: [],
        });
        const found = messages(pullSecretViolations({ ...previewed, props: unknownCheckingProxy(previewed.props) }));
        assert.equal(found.length, 2);
        assert.match(found[0], /"apps\/pull-apps" has type "Opaque"/, "falls back to the resource name for the message");
    });
});

describe("policy system-namespaces-need-opt-in", () => {
    it("refuses a pull secret in kube-system and says both ways out", () => {
        const [message] = messages(systemNamespaceViolations(pullSecret({ stack: "staging", namespace: "kube-system" })));
        assert.match(message, /system namespace "kube-system"/);
        assert.match(message, /stack "staging" has not opted in/);
        assert.match(message, /allowedStacks/);
        assert.match(message, /allowSystemNamespaces: true/);
    });

    it("refuses every system namespace for every kind of resource the program writes", () => {
        for (const namespace of systemNamespaces) {
            const namespaceResource: ResourceFacts = {
                type: resourceTypes.namespace,
                urn: urnOf("dev", resourceTypes.namespace, namespace, componentType),
                props: { metadata: { name: namespace } },
            };
            const entry: ResourceFacts = {
                type: "pulumi-nodejs:dynamic:Resource",
                urn: urnOf("dev", "pulumi-nodejs:dynamic:Resource", `${namespace}-default`, componentType),
                props: { namespace, serviceAccount: "default", secretName: "regcred", waitSeconds: 60 },
            };
            const patch: ResourceFacts = {
                type: "kubernetes:core/v1:ServiceAccountPatch",
                urn: urnOf("dev", "kubernetes:core/v1:ServiceAccountPatch", `${namespace}-default`, componentType),
                props: { metadata: { name: "default", namespace } },
            };
            for (const resource of [pullSecret({ stack: "dev", namespace }), namespaceResource, entry, patch]) {
                assert.equal(systemNamespaceViolations(resource).length, 1, `${resource.type} in ${namespace}`);
            }
        }
    });

    it("allows a system namespace for a stack listed in allowedStacks, and only that stack", () => {
        const config = { allowedStacks: ["ops"] };
        assert.deepEqual(systemNamespaceViolations(pullSecret({ stack: "ops", namespace: "kube-system" }), config), []);
        assert.equal(systemNamespaceViolations(pullSecret({ stack: "prod", namespace: "kube-system" }), config).length, 1);
    });

    it("passes ordinary namespaces, including ones named like system ones", () => {
        for (const namespace of ["default", "apps", "kube-systems", "my-kube-public"]) {
            assert.deepEqual(systemNamespaceViolations(pullSecret({ namespace })), [], namespace);
        }
    });
});

describe("policy registry-read-only-iam", () => {
    it("passes the three registry-read grants the program makes", () => {
        assert.deepEqual(iamViolations(grant(resourceTypes.repositoryIamMember, roles.registryReader)), []);
        assert.deepEqual(iamViolations(grant(resourceTypes.bucketIamMember, roles.gcrBucketReader)), []);
        assert.deepEqual(iamViolations(grant(resourceTypes.projectIamMember, roles.registryReader)), []);
    });

    it("refuses project-wide editor and owner, calling them out", () => {
        for (const role of ["roles/editor", "roles/owner"]) {
            const [message] = messages(iamViolations(grant(resourceTypes.projectIamMember, role)));
            assert.match(message, new RegExp(`"${role}" \\(project-wide write access\\)`));
            assert.match(message, /only "roles\/artifactregistry.reader"/);
        }
    });

    it("refuses any other role, even a read role on the wrong resource", () => {
        const cases: [string, string][] = [
            [resourceTypes.repositoryIamMember, "roles/artifactregistry.writer"],
            [resourceTypes.bucketIamMember, "roles/storage.admin"],
            [resourceTypes.bucketIamMember, roles.registryReader],
            [resourceTypes.projectIamMember, roles.gcrBucketReader],
            [resourceTypes.projectIamMember, "roles/iam.serviceAccountTokenCreator"],
        ];
        for (const [type, role] of cases) {
            assert.equal(iamViolations(grant(type, role)).length, 1, `${type} ${role}`);
        }
    });

    it("refuses IAM resources the program never uses: bindings, policies, grants on other resources", () => {
        for (const type of [
            "gcp:projects/iAMBinding:IAMBinding",
            "gcp:projects/iAMPolicy:IAMPolicy",
            "gcp:artifactregistry/repositoryIamBinding:RepositoryIamBinding",
            "gcp:storage/bucketIAMPolicy:BucketIAMPolicy",
            "gcp:serviceaccount/iAMBinding:IAMBinding",
            "gcp:organizations/iAMMember:IAMMember",
        ]) {
            const [message] = messages(iamViolations(grant(type, roles.registryReader)));
            assert.match(message, /IAM grant this program must not make/, type);
        }
    });

    it("lets the keyless principal act as the reader account (workloadIdentityUser) and nothing more", () => {
        const type = "gcp:serviceaccount/iAMMember:IAMMember";
        assert.deepEqual(iamViolations(grant(type, "roles/iam.workloadIdentityUser")), []);
        for (const role of ["roles/iam.serviceAccountTokenCreator", "roles/iam.serviceAccountUser", "roles/owner"]) {
            const [message] = messages(iamViolations(grant(type, role)));
            assert.match(message, /reader service account \(keyless impersonation\).*may grant only "roles\/iam.workloadIdentityUser"/, role);
        }
    });

    it("ignores resources that are not IAM grants", () => {
        for (const type of [resourceTypes.key, "gcp:serviceaccount/account:Account", "gcp:projects/iAMCustomRole:IAMCustomRole", resourceTypes.secret]) {
            assert.equal(isIamGrant(type), false, type);
            assert.deepEqual(iamViolations(grant(type, "roles/owner")), []);
        }
    });
});

describe("policy prod-key-rotation", () => {
    const keepers = (rotationDays: unknown) => ({ rotationDays, rotationWindow: "220", rotationTrigger: "" });

    it("passes prod keys rotated every 1 to 90 days", () => {
        for (const days of ["1", "30", "90"]) {
            assert.deepEqual(keyRotationViolations(key("prod", keepers(days))), [], days);
        }
    });

    it("refuses a prod key rotated less often than every 90 days, naming the stack file to fix", () => {
        const [message] = messages(keyRotationViolations(key("prod", keepers("91"))));
        assert.match(message, /rotates every 91 days/);
        assert.match(message, /at least every 90 days/);
        assert.match(message, /Pulumi\.prod\.yaml/);
    });

    it("refuses a prod key that is never rotated", () => {
        assert.match(messages(keyRotationViolations(key("prod-eu", keepers("0")))).join(), /never rotated \(rotationDays 0\)/);
    });

    it("refuses a prod key whose period it cannot read", () => {
        assert.match(messages(keyRotationViolations(key("prod", undefined))).join(), /has no keepers\.rotationDays/);
        assert.match(messages(keyRotationViolations(key("prod", { rotationWindow: "1" }))).join(), /has no keepers\.rotationDays/);
        assert.match(messages(keyRotationViolations(key("prod", keepers("ninety")))).join(), /not a whole number/);
    });

    it("leaves non-prod stacks to their own rotation period", () => {
        for (const stack of ["dev", "staging", "preprod"]) {
            assert.deepEqual(keyRotationViolations(key(stack, keepers("0"))), [], stack);
            assert.deepEqual(keyRotationViolations(key(stack, keepers("365"))), [], stack);
        }
    });

    it("follows the configured limit and prod pattern", () => {
        assert.equal(keyRotationViolations(key("prod", keepers("45")), { maxRotationDays: 30 }).length, 1);
        assert.equal(keyRotationViolations(key("live", keepers("365")), { prodStackPattern: "^live$" }).length, 1);
        assert.deepEqual(keyRotationViolations(key("prod", keepers("365")), { prodStackPattern: "^live$" }), []);
    });

    it("agrees with the limit for every period (property)", () => {
        fc.assert(
            fc.property(fc.integer({ min: 0, max: 3650 }), (days) => {
                const violations = keyRotationViolations(key("prod", keepers(String(days))));
                return violations.length === (days === 0 || days > 90 ? 1 : 0);
            }),
        );
    });

    it("leaves an unknown period to the engine: advisory during preview, enforced by pulumi up", () => {
        const previewed = key("prod", keepers(unknownStringValue));
        assert.throws(() => keyRotationViolations({ ...previewed, props: unknownCheckingProxy(previewed.props) }), UnknownValueError);
    });

    it("reads the period even when the rest of the key is unknown during preview", () => {
        const previewed = key("prod", keepers("365"));
        const props = unknownCheckingProxy({ ...previewed.props, serviceAccountId: unknownStringValue });
        assert.equal(keyRotationViolations({ ...previewed, props }).length, 1);
    });
});

describe("policy prod-uses-managed-key", () => {
    const withSource = (stack: string, source?: string) =>
        pullSecret({
            stack,
            props: {
                metadata: {
                    name: "regcred",
                    namespace: "apps",
                    labels: { "app.kubernetes.io/part-of": "gcr-pull-secrets" },
                    ...(source ? { annotations: { [keySourceAnnotation]: source } } : {}),
                },
            },
        });

    it("passes a prod pull secret made from a managed key", () => {
        assert.deepEqual(prodManagedKeyViolations(withSource("prod", "managed")), []);
    });

    it("refuses a prod pull secret made from a supplied jsonKey, before it is written, naming the fix", () => {
        const [violation, ...rest] = prodManagedKeyViolations(withSource("prod", "supplied"));
        assert.deepEqual(rest, []);
        assert.match(violation.message, /^Prod stack "prod" writes pull secret "apps\/regcred" from a supplied jsonKey, which this program cannot rotate/);
        assert.match(violation.message, /existingServiceAccountEmail/);
    });

    it("refuses a prod pull secret that cannot show where its key comes from", () => {
        assert.match(prodManagedKeyViolations(withSource("prod-eu"))[0].message, /a key of unknown origin/);
    });

    it("passes a prod pull secret in keyless mode: a one-hour token, no key to rotate", () => {
        assert.deepEqual(prodManagedKeyViolations(withSource("prod", "keyless")), []);
    });

    it("allows a supplied jsonKey outside prod", () => {
        assert.deepEqual(prodManagedKeyViolations(withSource("staging", "supplied")), []);
    });

    it("has nothing to say about resources that are not pull secrets", () => {
        assert.deepEqual(prodManagedKeyViolations(grant(resourceTypes.projectIamMember, roles.registryReader)), []);
        assert.deepEqual(prodManagedKeyViolations(key("prod", { rotationDays: "30" })), []);
    });
});

/**
 * The component's real resources for a stack file, as the policy pack would see them. Mocks record
 * neither URNs nor options, so each resource gets the URN of a child of the component in that stack,
 * and `additionalSecretOutputs` names the inputs that reached the engine marked secret.
 */
async function declaredResources(stack: string, change: (args: GcrPullSecretsArgs) => GcrPullSecretsArgs = (args) => args): Promise<ResourceFacts[]> {
    const file = path.resolve(__dirname, "../../..", `Pulumi.${stack}.yaml`);
    const doc = yaml.load(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> };
    const values: Record<string, string> = {};
    for (const [key, value] of Object.entries(doc.config ?? {})) {
        values[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    resetRecorded();
    const component = new GcrPullSecrets("pull", change(argsFromStackConfig({ values, secretKeys: new Set() })));
    await new Promise<void>((resolve) => component.keyId.apply(() => resolve()));
    await settle();
    return recorded.map((r) => ({
        type: r.type,
        urn: urnOf(stack, r.type, r.name, componentType),
        props: r.inputs,
        additionalSecretOutputs: Object.keys(r.inputs).filter((k) => isSecretInput(r.inputs[k])),
    }));
}

/** Every resource and stack rule of the pack, with its default config. */
function packViolations(resources: ResourceFacts[]): string[] {
    const found: Violation[] = resources.flatMap((r) => [
        ...pullSecretViolations(r),
        ...systemNamespaceViolations(r),
        ...iamViolations(r),
        ...keyRotationViolations(r),
        ...prodManagedKeyViolations(r),
    ]);
    return messages(found);
}

describe("policy pack against the committed stacks (component under mocks)", () => {
    for (const stack of ["dev", "staging", "prod"]) {
        it(`Pulumi.${stack}.yaml declares nothing the pack blocks`, async () => {
            const resources = await declaredResources(stack);
            assert.ok(resources.some(isPullSecret), "the stack declares pull secrets");
            assert.deepEqual(packViolations(resources), []);
        });
    }

    it("prod with a yearly rotation is blocked by prod-key-rotation", async () => {
        const found = packViolations(await declaredResources("prod", (args) => ({ ...args, rotationDays: 365 })));
        assert.equal(found.length, 1);
        assert.match(found[0], /rotates every 365 days/);
    });

    it("prod on a supplied jsonKey is blocked by prod-uses-managed-key", async () => {
        const found = packViolations(
            await declaredResources("prod", (args) => ({
                ...args,
                existingServiceAccountEmail: undefined,
                artifactRegistryRepositories: undefined,
                rotationDays: undefined,
                jsonKey: sampleKeyJson,
            })),
        );
        const secrets = (await declaredResources("prod")).filter(isPullSecret).length;
        assert.equal(found.length, secrets, "one violation per pull Secret, each refused before it is written");
        for (const message of found) assert.match(message, /from a supplied jsonKey/);
    });

    it("prod in keyless mode, impersonating a reader account, declares nothing the pack blocks", async () => {
        const resources = await declaredResources("prod", (args) => ({
            ...args,
            existingServiceAccountEmail: undefined,
            rotationDays: undefined,
            rotationTrigger: undefined,
            keyless: {
                issuerUri: "https://container.googleapis.com/v1/projects/acme-prod-123456/locations/europe-west1/clusters/prod",
                serviceAccountEmail: "reader@acme-prod-123456.iam.gserviceaccount.com",
            },
        }));
        assert.ok(
            resources.some((r) => r.type === "gcp:serviceaccount/iAMMember:IAMMember"),
            "the impersonation grant is declared",
        );
        assert.ok(
            resources.some((r) => r.type === "kubernetes:batch/v1:CronJob"),
            "the refresher is declared",
        );
        assert.deepEqual(packViolations(resources), []);
    });

    it("staging writing into kube-system (allowed by the program) is still blocked without the policy opt-in", async () => {
        const found = packViolations(
            await declaredResources("staging", (args) => ({ ...args, allowSystemNamespaces: true, namespaces: [...(args.namespaces ?? []), "kube-system"] })),
        );
        assert.strictEqual(found.length, 1, "the PullSecret (the Secret and its ServiceAccount entries)");
        assert.ok(
            found.every((m) => /system namespace "kube-system"/.test(m)),
            found.join("\n"),
        );
    });
});
