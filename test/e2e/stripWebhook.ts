/**
 * A mutating admission webhook, served by the test on loopback HTTPS and registered with the real
 * API server, that replaces the `imagePullSecrets` of every Pod created in one namespace with its
 * own (`mirror-cred`): what a webhook or policy that imposes a registry mirror's credential does to
 * pull access, after the ServiceAccount admission plugin has added the ServiceAccount's list. (One
 * that only removes the list is undone: kube-apiserver 1.34 runs the ServiceAccount plugin's
 * mutation again after a webhook changed the Pod, and it fills an empty list back in.)
 */
import * as k8s from "@kubernetes/client-node";
import * as https from "https";
import { AddressInfo } from "net";
import { kube } from "./harness";
import { LoopbackTls } from "./loopbackTls";

export interface StripWebhook {
    /** Admission requests it answered: `<namespace> dryRun=<bool>`. */
    seen: string[];
    /** Unregisters the webhook and stops the server. */
    remove(): Promise<void>;
}

/** The pull secret the webhook puts in place of a Pod's own. */
export const mirrorCred = "mirror-cred";

export async function installStripWebhook(tls: LoopbackTls, namespace: string, name: string): Promise<StripWebhook> {
    const seen: string[] = [];
    const server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
        let body = "";
        req.on("data", (chunk) => (body += chunk));
        req.on("end", () => {
            const review = JSON.parse(body) as {
                request: { uid: string; namespace?: string; dryRun?: boolean; object?: { spec?: { imagePullSecrets?: unknown[] } } };
            };
            seen.push(`${review.request.namespace} dryRun=${review.request.dryRun === true}`);
            const has = (review.request.object?.spec?.imagePullSecrets ?? []).length > 0;
            const patch = has
                ? {
                      patchType: "JSONPatch",
                      patch: Buffer.from(JSON.stringify([{ op: "replace", path: "/spec/imagePullSecrets", value: [{ name: mirrorCred }] }])).toString("base64"),
                  }
                : {};
            res.writeHead(200, { "Content-Type": "application/json" });
            res.end(
                JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response: { uid: review.request.uid, allowed: true, ...patch } }),
            );
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/strip`;
    const admission = kube().config.makeApiClient(k8s.AdmissionregistrationV1Api);
    await admission.createMutatingWebhookConfiguration({
        body: {
            metadata: { name },
            webhooks: [
                {
                    name: "strip-pull-secrets.e2e.gcr-pull-secrets.dev",
                    clientConfig: { url, caBundle: Buffer.from(tls.cert).toString("base64") },
                    rules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"], scope: "Namespaced" }],
                    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } },
                    // Called for dry runs too, which is what the check relies on.
                    sideEffects: "None",
                    admissionReviewVersions: ["v1"],
                    failurePolicy: "Fail",
                    timeoutSeconds: 5,
                },
            ],
        },
    });
    return {
        seen,
        async remove() {
            await admission.deleteMutatingWebhookConfiguration({ name }).catch(() => undefined);
            await new Promise((resolve) => server.close(resolve));
        },
    };
}

/** A ValidatingAdmissionPolicy (GA since 1.30) and its binding that refuse every Pod in one namespace. */
export async function installDenyPolicy(namespace: string, name: string): Promise<{ remove(): Promise<void> }> {
    const admission = kube().config.makeApiClient(k8s.AdmissionregistrationV1Api);
    await admission.createValidatingAdmissionPolicy({
        body: {
            metadata: { name },
            spec: {
                failurePolicy: "Fail",
                matchConstraints: { resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"] }] },
                validations: [{ expression: "false", message: "no pods in this namespace (e2e)" }],
            },
        },
    });
    await admission.createValidatingAdmissionPolicyBinding({
        body: {
            metadata: { name },
            spec: {
                policyName: name,
                validationActions: ["Deny"],
                matchResources: { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } } },
            },
        },
    });
    return {
        async remove() {
            await admission.deleteValidatingAdmissionPolicyBinding({ name }).catch(() => undefined);
            await admission.deleteValidatingAdmissionPolicy({ name }).catch(() => undefined);
        },
    };
}
