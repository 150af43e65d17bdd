import * as assert from "assert";
import { managedLabels } from "../../../components/contract";
import { classifyAdmitted, classifyRefusal, containerName, dryRunPod, imageFor, strippedDetail } from "../../../provider/dryRunPod";

/** An API error as client-node 2.x throws it. */
function apiError(code: number | undefined, message: string): Error {
    return Object.assign(new Error(`HTTP-Code: ${code}\nMessage: ...\nBody: {...}\nHeaders: {"authorization": "Bearer x"}`), {
        code,
        body: JSON.stringify({ kind: "Status", message }),
    });
}

describe("the dry-run Pod of verifyPullAccess", () => {
    const hosts = ["asia.gcr.io", "europe-west1-docker.pkg.dev"];

    it("names no pull secrets, runs as the ServiceAccount, and has one container per registry host", () => {
        const pod = dryRunPod("builder", hosts, []) as {
            metadata: { name?: string; generateName: string; labels: Record<string, string> };
            spec: {
                serviceAccountName: string;
                imagePullSecrets?: unknown;
                automountServiceAccountToken: boolean;
                containers: { name: string; image: string }[];
            };
        };
        assert.strictEqual(pod.spec.imagePullSecrets, undefined);
        assert.strictEqual(pod.spec.serviceAccountName, "builder");
        assert.strictEqual(pod.spec.automountServiceAccountToken, false);
        assert.strictEqual(pod.metadata.name, undefined);
        assert.strictEqual(pod.metadata.generateName, "gcr-pull-secrets-check-");
        assert.deepStrictEqual(pod.metadata.labels, { ...managedLabels, "app.kubernetes.io/component": "pull-access-check" });
        assert.deepStrictEqual(
            pod.spec.containers.map((c) => [c.name, c.image]),
            [
                ["asia-gcr-io", "asia.gcr.io/gcr-pull-secrets/pull-access-check:dry-run"],
                ["europe-west1-docker-pkg-dev", "europe-west1-docker.pkg.dev/gcr-pull-secrets/pull-access-check:dry-run"],
            ],
        );
    });

    it("meets the restricted Pod Security Standard, so only a policy that refuses every pod refuses it", () => {
        const pod = dryRunPod("default", hosts, []) as {
            spec: { securityContext: Record<string, unknown>; containers: { securityContext: Record<string, unknown>; resources: unknown }[] };
        };
        assert.deepStrictEqual(pod.spec.securityContext, { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
        for (const container of pod.spec.containers) {
            assert.strictEqual(container.securityContext.allowPrivilegeEscalation, false);
            assert.deepStrictEqual(container.securityContext.capabilities, { drop: ["ALL"] });
            assert.ok(container.resources, "requests and limits, for namespaces whose quota demands them");
        }
    });

    it("uses a repository of verifyRepositories as the image on its host", () => {
        assert.strictEqual(imageFor("asia.gcr.io", ["europe-west1-docker.pkg.dev/p/r", "asia.gcr.io/acme/app"]), "asia.gcr.io/acme/app:dry-run");
        assert.strictEqual(imageFor("asia.gcr.io", ["asia.gcr.io.evil.example/x"]), "asia.gcr.io/gcr-pull-secrets/pull-access-check:dry-run");
    });

    it("gives hosts that read alike distinct container names", () => {
        const first = containerName("a-b.c");
        assert.strictEqual(first, "a-b-c");
        assert.strictEqual(containerName("a.b-c", new Set([first])), "a-b-c-2");
        assert.ok(containerName("x".repeat(80)).length <= 63);
    });
});

describe("what a dry-run Pod's answer means", () => {
    it("a Pod that carries the Secret is verified; one without it is stripped", () => {
        assert.deepStrictEqual(classifyAdmitted({ spec: { imagePullSecrets: [{ name: "other" }, { name: "regcred" }] } }, "regcred"), { status: "verified" });
        assert.strictEqual(classifyAdmitted({ spec: { imagePullSecrets: [{ name: "other" }] } }, "regcred"), "stripped");
        assert.strictEqual(classifyAdmitted({ spec: {} }, "regcred"), "stripped");
    });

    it("a stripped Pod says whether admission removed the Secret or the ServiceAccount no longer lists it", () => {
        assert.match(
            strippedDetail("regcred", [], ["regcred"]),
            /^admitted without regcred: something in admission removed it \(the ServiceAccount lists it\)/,
        );
        assert.match(
            strippedDetail("regcred", ["other"], ["other"]),
            /^admitted without regcred \(it got other\): the ServiceAccount no longer lists it .*pulumi up --refresh/,
        );
        assert.match(strippedDetail("regcred", [], undefined, "HTTP 403: nope"), /could not be read to tell why \(HTTP 403: nope\)/);
    });

    it("no permission to create pods is skipped and names the verb; any other refusal is denied with the API server's reason", () => {
        const rbac = classifyRefusal(
            apiError(403, 'pods is forbidden: User "ci" cannot create resource "pods" in API group "" in the namespace "team-a"'),
            "team-a",
        );
        assert.strictEqual(rbac.status, "skipped");
        assert.match(rbac.detail!, /`create` on `pods`/);
        const policy = classifyRefusal(apiError(403, 'admission webhook "deny.example.com" denied the request: no pods here'), "team-a");
        assert.deepStrictEqual(policy, {
            status: "denied",
            detail: 'a pod without imagePullSecrets was refused: HTTP 403: admission webhook "deny.example.com" denied the request: no pods here',
        });
        assert.strictEqual(classifyRefusal(apiError(422, "ValidatingAdmissionPolicy 'p' denied request"), "team-a").status, "denied");
        assert.strictEqual(classifyRefusal(new Error("connect ECONNREFUSED 127.0.0.1:6443"), "team-a").status, "skipped");
        const gone = classifyRefusal(
            apiError(403, 'pods "x" is forbidden: error looking up service account team-a/ci: serviceaccount "ci" not found'),
            "team-a",
        );
        assert.strictEqual(gone.status, "skipped");
        assert.match(gone.detail!, /^the ServiceAccount does not exist any more/);
    });

    it("never repeats client-node's raw error text, which carries request headers", () => {
        const result = classifyRefusal(apiError(500, "etcd is sad"), "team-a");
        assert.doesNotMatch(result.detail!, /Bearer|Headers/);
    });
});
