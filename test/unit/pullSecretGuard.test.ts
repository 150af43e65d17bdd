import * as assert from "assert";
import { existingSecretProblem, GuardInputs, stackAnnotation } from "../../components/pullSecretGuard";
import { CoreApi, SecretObject } from "../../components/kubeAccess";

function apiWith(secret: SecretObject | undefined, status = 404): CoreApi {
    const unused = async () => {
        throw new Error("unused");
    };
    return {
        readNamespacedSecret: async () => {
            if (!secret) throw Object.assign(new Error("not found"), { code: status, body: { message: "secrets \"regcred\" not found" } });
            return secret;
        },
        readNamespacedServiceAccount: unused,
        patchNamespacedServiceAccount: unused,
        patchNamespacedSecret: unused,
    };
}

const inputs: GuardInputs = { namespace: "apps", secretName: "regcred", adopt: false, stack: "gcr-pull-secrets/dev" };
const manual: SecretObject = { type: "kubernetes.io/dockerconfigjson", metadata: { uid: "u-1" } };

describe("pull Secret guard", () => {
    it("lets a namespace without that Secret through", async () => {
        assert.deepStrictEqual(await existingSecretProblem(apiWith(undefined), inputs), {});
    });

    it("refuses a Secret someone else made, naming adopt and the other ways out", async () => {
        const { problem } = await existingSecretProblem(apiWith(manual), inputs);
        assert.match(problem ?? "", /^Secret apps\/regcred already exists and was not created by this stack\. To take it over in place \(pods keep pulling\), set adopt: true on namespace "apps" in the namespaces setting; otherwise choose another secretName or delete that Secret\.$/);
    });

    it("adopts a dockerconfigjson Secret when the namespace opted in", async () => {
        assert.deepStrictEqual(await existingSecretProblem(apiWith(manual), { ...inputs, adopt: true }), { uid: "u-1", lastApplied: false });
    });

    it("notes the kubectl last-applied annotation so it can be stripped before adoption", async () => {
        const applied = { ...manual, metadata: { uid: "u-2", annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{...}" } } };
        assert.deepStrictEqual(await existingSecretProblem(apiWith(applied), { ...inputs, adopt: true }), { uid: "u-2", lastApplied: true });
    });

    it("refuses to adopt a Secret of another type, because Kubernetes never changes it", async () => {
        const { problem } = await existingSecretProblem(apiWith({ ...manual, type: "Opaque" }), { ...inputs, adopt: true });
        assert.match(problem ?? "", /exists with type "Opaque" and cannot be adopted/);
    });

    it("treats a Secret annotated with this stack as its own (state lost, object kept)", async () => {
        const ours = { ...manual, metadata: { uid: "u-3", annotations: { [stackAnnotation]: "gcr-pull-secrets/dev" } } };
        assert.strictEqual((await existingSecretProblem(apiWith(ours), inputs)).problem, undefined);
        const other = { ...manual, metadata: { uid: "u-4", annotations: { [stackAnnotation]: "gcr-pull-secrets/prod" } } };
        assert.ok((await existingSecretProblem(apiWith(other), inputs)).problem, "another stack's Secret is not ours");
    });

    it("reports API failures other than not-found without leaking the response", async () => {
        await assert.rejects(existingSecretProblem(apiWith(undefined, 403), inputs), /checking for an existing Secret apps\/regcred failed: HTTP 403: secrets "regcred" not found/);
    });
});
