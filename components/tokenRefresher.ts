import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { keyless as keylessNames, managedLabels } from "./contract";
import { KeylessGoogleAccess } from "./keylessGoogleAccess";
import { Plan } from "./plan";
import { KeylessPlan } from "./validation/planKeyless";

/** The refresher script, the same file the tests run as a local process. */
export const refresherScriptFile = path.join(__dirname, "refreshPullSecrets.js");

/** The Role and RoleBinding name in each target namespace; the Secret's name keeps two stacks with different Secrets apart. */
export function refresherRoleName(secretName: string): string {
    return `gcr-pull-secrets-refresh-${secretName}`.slice(0, 253).replace(/[-.]+$/, "");
}

/** The refresher's environment: what it refreshes and where it exchanges its token. */
export function refresherEnvironment(
    plan: Plan,
    targets: readonly { name: string }[],
    access: Pick<KeylessGoogleAccess, "stsAudience" | "serviceAccountEmail">,
): k8s.types.input.core.v1.EnvVar[] {
    return [
        { name: "PULL_SECRETS", value: targets.map((ns) => `${ns.name}/${plan.secretName}`).join(",") },
        { name: "REGISTRIES", value: plan.registryHosts.join(",") },
        { name: "STS_AUDIENCE", value: access.stsAudience },
        { name: "STS_TOKEN_FILE", value: keylessNames.stsTokenPath },
        ...(access.serviceAccountEmail ? [{ name: "IMPERSONATE_SERVICE_ACCOUNT", value: access.serviceAccountEmail }] : []),
    ];
}

/**
 * Declares the cluster side of keyless mode: the refresher's namespace and ServiceAccount, a Role
 * per target namespace that allows only `get` and `patch` on the one pull Secret there, the script
 * in a ConfigMap, a CronJob that runs it every `schedule`, and a first run (a Job) once the
 * Secrets and grants exist. The Job is replaced, and so runs again, whenever what it does changes.
 * `targets` are the namespaces this run covers, listed and selected.
 */
export function tokenRefresher(
    name: string,
    plan: Plan,
    targets: readonly { name: string }[],
    keyless: KeylessPlan,
    access: KeylessGoogleAccess,
    provider: pulumi.ProviderResource,
    parent: pulumi.Resource,
    pullSecrets: pulumi.Resource[],
): { cronJob: k8s.batch.v1.CronJob; firstRun: k8s.batch.v1.Job } {
    const base = `${name}-refresher`;
    const labels = { ...managedLabels, "app.kubernetes.io/component": keylessNames.component };
    const opts = { parent, provider };
    // Left on destroy like the namespaces the stack creates: a namespace of that name may have existed
    // before (the Kubernetes provider takes an existing one over silently), and deleting it would take
    // everything in it. What the stack put there is deleted one by one.
    const namespace = new k8s.core.v1.Namespace(base, { metadata: { name: keyless.namespace, labels } }, { ...opts, retainOnDelete: true });
    const serviceAccount = new k8s.core.v1.ServiceAccount(
        base,
        { metadata: { name: keyless.serviceAccountName, namespace: namespace.metadata.name, labels } },
        opts,
    );

    const roleName = refresherRoleName(plan.secretName);
    const bindings = targets.map((target) => {
        const role = new k8s.rbac.v1.Role(
            `${base}-${target.name}`,
            {
                metadata: { name: roleName, namespace: target.name, labels },
                // resourceNames pins both verbs to the one Secret; list, watch and create stay denied.
                rules: [{ apiGroups: [""], resources: ["secrets"], resourceNames: [plan.secretName], verbs: ["get", "patch"] }],
            },
            { ...opts, dependsOn: pullSecrets },
        );
        return new k8s.rbac.v1.RoleBinding(
            `${base}-${target.name}`,
            {
                metadata: { name: roleName, namespace: target.name, labels },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
                subjects: [{ kind: "ServiceAccount", name: serviceAccount.metadata.name, namespace: namespace.metadata.name }],
            },
            opts,
        );
    });

    const script = new k8s.core.v1.ConfigMap(
        `${base}-script`,
        {
            metadata: { namespace: namespace.metadata.name, labels },
            data: { [path.basename(keylessNames.scriptPath)]: fs.readFileSync(refresherScriptFile, "utf8") },
        },
        opts,
    );

    const stsTokenDir = path.posix.dirname(keylessNames.stsTokenPath);
    const jobSpec: k8s.types.input.batch.v1.JobSpec = {
        backoffLimit: 2,
        activeDeadlineSeconds: 300,
        template: {
            metadata: { labels },
            spec: {
                serviceAccountName: serviceAccount.metadata.name,
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
                            { name: "sts-token", mountPath: stsTokenDir, readOnly: true },
                        ],
                    },
                ],
                volumes: [
                    { name: "script", configMap: { name: script.metadata.name } },
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

    const cronJob = new k8s.batch.v1.CronJob(
        base,
        {
            metadata: { name: keyless.serviceAccountName, namespace: namespace.metadata.name, labels },
            spec: {
                schedule: keyless.schedule,
                concurrencyPolicy: "Forbid",
                startingDeadlineSeconds: 600,
                successfulJobsHistoryLimit: 1,
                failedJobsHistoryLimit: 3,
                jobTemplate: { metadata: { labels }, spec: jobSpec },
            },
        },
        { ...opts, dependsOn: bindings },
    );
    const firstRun = new k8s.batch.v1.Job(
        `${base}-first-run`,
        {
            metadata: {
                namespace: namespace.metadata.name,
                labels,
                annotations: keyless.waitForFirstRun
                    ? // A failed first run fails the update; once the cause is fixed (say, a grant), the next
                      // `pulumi up` replaces the unready Job so it runs again, even if its spec is unchanged.
                      { "pulumi.com/replaceUnready": "true" }
                    : // `pulumi up` ends before the first token is written (in a cluster that runs no pods, waiting would never end).
                      { "pulumi.com/skipAwait": "true" },
            },
            spec: jobSpec,
        },
        { ...opts, dependsOn: [...bindings, ...access.ready], customTimeouts: { create: "5m", update: "5m" } },
    );
    return { cronJob, firstRun };
}
