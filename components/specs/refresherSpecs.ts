/**
 * The cluster side of keyless mode: the refresher's namespace and ServiceAccount, a Role per target
 * namespace that allows only `get` and `patch` on the one pull Secret there, the script in a
 * ConfigMap, a CronJob that runs it every `schedule`, and a first run (a Job) once the Secrets and
 * grants exist. The Job is replaced, and so runs again, whenever what it does changes.
 */
import * as fs from "fs";
import * as path from "path";
import { foreignTypes, keyless as keylessNames, managedLabels } from "../contract";
import { KeylessPlan, Plan } from "../plan";
import { keylessGoogleSpecs, KeylessAccess } from "./keylessGoogleSpecs";
import { pullSecretKey } from "./namespaceSpecs";
import { providerKeys } from "./providerSpecs";
import { callersKubernetes, ref, ResourceSpec, SpecContext, SpecValue } from "./resourceSpec";

/** The refresher script, the same file the tests run as a local process (shipped next to components/'s code). */
export const refresherScriptFile = path.join(__dirname, "..", "refreshPullSecrets.js");

/** The Role and RoleBinding name in each target namespace; the Secret's name keeps two stacks with different Secrets apart. */
export function refresherRoleName(secretName: string): string {
    return `gcr-pull-secrets-refresh-${secretName}`.slice(0, 253).replace(/[-.]+$/, "");
}

/** The refresher's environment: what it refreshes and where it exchanges its token. */
export function refresherEnvironment(
    plan: Plan,
    targets: readonly { name: string }[],
    access: Pick<KeylessAccess, "stsAudience" | "serviceAccountEmail">,
): { name: string; value: SpecValue }[] {
    return [
        { name: "PULL_SECRETS", value: targets.map((ns) => `${ns.name}/${plan.secretName}`).join(",") },
        { name: "REGISTRIES", value: plan.registryHosts.join(",") },
        { name: "STS_AUDIENCE", value: access.stsAudience },
        { name: "STS_TOKEN_FILE", value: keylessNames.stsTokenPath },
        ...(access.serviceAccountEmail ? [{ name: "IMPERSONATE_SERVICE_ACCOUNT", value: access.serviceAccountEmail }] : []),
    ];
}

/** The keys of the refresher's specs that do not depend on the namespaces. */
export const refresherKeys = {
    namespace: "refresher/namespace",
    serviceAccount: "refresher/serviceAccount",
    script: "refresher/script",
    cronJob: "refresher/cronJob",
    firstRun: "refresher/firstRun",
} as const;

/** What every spec of the refresher shares. */
interface Refresher {
    plan: Plan;
    keyless: KeylessPlan;
    access: KeylessAccess;
    targets: readonly { name: string }[];
    /** The Pulumi name every spec's name starts with. */
    base: string;
    labels: Record<string, string>;
    provider: string | typeof callersKubernetes;
    namespaceName: SpecValue;
    serviceAccountName: SpecValue;
}

/** The refresher's specs for these targets (the namespaces this run covers, listed and selected); none unless keyless. */
export function refresherSpecs(plan: Plan, context: SpecContext, targets: readonly { name: string }[]): ResourceSpec[] {
    const access = keylessGoogleSpecs(plan, context).access;
    if (plan.credentials.kind !== "keyless" || !access) return [];
    const refresher: Refresher = {
        plan,
        keyless: plan.credentials.keyless,
        access,
        targets,
        base: `${context.name}-refresher`,
        labels: { ...managedLabels, "app.kubernetes.io/component": keylessNames.component },
        provider: context.callersKubernetes ? callersKubernetes : providerKeys.kubernetes,
        namespaceName: ref(refresherKeys.namespace, "metadata.name"),
        serviceAccountName: ref(refresherKeys.serviceAccount, "metadata.name"),
    };
    const grants = grantSpecs(refresher);
    const bindings = grants.filter((spec) => spec.type === foreignTypes.roleBinding).map((spec) => spec.key);
    return [...identitySpecs(refresher), ...grants, scriptSpec(refresher), ...runSpecs(refresher, bindings)];
}

/** Its namespace and ServiceAccount. */
function identitySpecs({ keyless, base, labels, provider, namespaceName }: Refresher): ResourceSpec[] {
    return [
        {
            key: refresherKeys.namespace,
            name: base,
            type: foreignTypes.namespace,
            inputs: { metadata: { name: keyless.namespace, labels } },
            // Left on destroy like the namespaces the stack creates: a namespace of that name may have existed
            // before (the Kubernetes provider takes an existing one over silently), and deleting it would take
            // everything in it. What the stack put there is deleted one by one.
            options: { provider, retainOnDelete: true },
        },
        {
            key: refresherKeys.serviceAccount,
            name: base,
            type: foreignTypes.serviceAccount,
            inputs: { metadata: { name: keyless.serviceAccountName, namespace: namespaceName, labels } },
            options: { provider },
        },
    ];
}

/** In each target namespace, a Role that allows `get` and `patch` of the pull Secret alone (and creating Events), bound to its ServiceAccount. */
function grantSpecs({ plan, targets, base, labels, provider, namespaceName, serviceAccountName }: Refresher): ResourceSpec[] {
    const roleName = refresherRoleName(plan.secretName);
    const pullSecrets = targets.map((target) => pullSecretKey(target.name));
    return targets.flatMap((target): ResourceSpec[] => {
        const roleKey = `refresher/role/${target.name}`;
        return [
            {
                key: roleKey,
                name: `${base}-${target.name}`,
                type: foreignTypes.role,
                inputs: {
                    metadata: { name: roleName, namespace: target.name, labels },
                    rules: [
                        // resourceNames pins both verbs to the one Secret; list, watch and create stay denied.
                        { apiGroups: [""], resources: ["secrets"], resourceNames: [plan.secretName], verbs: ["get", "patch"] },
                        // Its Refreshed / RefreshFailed Events. RBAC cannot pin `create` to a name (the name is generated).
                        { apiGroups: ["events.k8s.io"], resources: ["events"], verbs: ["create"] },
                    ],
                },
                options: { provider, dependsOn: pullSecrets },
            },
            {
                key: `refresher/roleBinding/${target.name}`,
                name: `${base}-${target.name}`,
                type: foreignTypes.roleBinding,
                inputs: {
                    metadata: { name: roleName, namespace: target.name, labels },
                    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: ref(roleKey, "metadata.name") },
                    subjects: [{ kind: "ServiceAccount", name: serviceAccountName, namespace: namespaceName }],
                },
                options: { provider },
            },
        ];
    });
}

/** The script, in a ConfigMap the Job mounts. */
function scriptSpec({ base, labels, provider, namespaceName }: Refresher): ResourceSpec {
    return {
        key: refresherKeys.script,
        name: `${base}-script`,
        type: foreignTypes.configMap,
        inputs: {
            metadata: { namespace: namespaceName, labels },
            data: { [path.basename(keylessNames.scriptPath)]: fs.readFileSync(refresherScriptFile, "utf8") },
        },
        options: { provider },
    };
}

/** The CronJob that runs it every `schedule`, and its first run once the grants (`bindings`) exist. */
function runSpecs(refresher: Refresher, bindings: string[]): ResourceSpec[] {
    const { keyless, access, base, labels, provider, namespaceName } = refresher;
    const spec = jobSpec(refresher);
    return [
        {
            key: refresherKeys.cronJob,
            name: base,
            type: foreignTypes.cronJob,
            inputs: {
                metadata: { name: keyless.serviceAccountName, namespace: namespaceName, labels },
                spec: {
                    schedule: keyless.schedule,
                    concurrencyPolicy: "Forbid",
                    startingDeadlineSeconds: 600,
                    successfulJobsHistoryLimit: 1,
                    failedJobsHistoryLimit: 3,
                    jobTemplate: { metadata: { labels }, spec },
                },
            },
            options: { provider, dependsOn: bindings },
        },
        {
            key: refresherKeys.firstRun,
            name: `${base}-first-run`,
            type: foreignTypes.job,
            inputs: {
                metadata: {
                    namespace: namespaceName,
                    labels,
                    annotations: keyless.waitForFirstRun
                        ? // A failed first run fails the update; once the cause is fixed (say, a grant), the next
                          // `pulumi up` replaces the unready Job so it runs again, even if its spec is unchanged.
                          { "pulumi.com/replaceUnready": "true" }
                        : // `pulumi up` ends before the first token is written (in a cluster that runs no pods, waiting would never end).
                          { "pulumi.com/skipAwait": "true" },
                },
                spec,
            },
            options: { provider, dependsOn: [...bindings, ...access.ready], customTimeouts: { create: "5m", update: "5m" } },
        },
    ];
}

/** The Job both runs share: the script in a locked-down container, with a token issued for the federation only. */
function jobSpec({ plan, keyless, access, targets, labels, serviceAccountName }: Refresher): SpecValue {
    return {
        backoffLimit: 2,
        activeDeadlineSeconds: 300,
        // Exit code 2 is a configuration error (refreshPullSecrets.js, exitCodes): another pod would fail the same way.
        podFailurePolicy: { rules: [{ action: "FailJob", onExitCodes: { containerName: "refresh", operator: "In", values: [2] } }] },
        template: {
            metadata: { labels },
            spec: {
                serviceAccountName,
                restartPolicy: "Never",
                securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } },
                containers: [
                    {
                        name: "refresh",
                        image: keyless.image,
                        command: ["node", keylessNames.scriptPath],
                        env: refresherEnvironment(plan, targets, access),
                        resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
                        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                        volumeMounts: [
                            { name: "script", mountPath: path.posix.dirname(keylessNames.scriptPath), readOnly: true },
                            { name: "sts-token", mountPath: path.posix.dirname(keylessNames.stsTokenPath), readOnly: true },
                        ],
                    },
                ],
                volumes: [
                    { name: "script", configMap: { name: ref(refresherKeys.script, "metadata.name") } },
                    {
                        name: "sts-token",
                        projected: {
                            // Issued for the federation's audience only: the API server would refuse it, Google accepts only it.
                            sources: [
                                {
                                    serviceAccountToken: {
                                        audience: access.tokenAudience,
                                        expirationSeconds: 3600,
                                        path: path.posix.basename(keylessNames.stsTokenPath),
                                    },
                                },
                            ],
                        },
                    },
                ],
            },
        },
    };
}
