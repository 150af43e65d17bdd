import * as assert from "assert";
import { withoutPullSecret, withPullSecret } from "../../../components/imagePullSecrets";
import { CoreApi, ServiceAccountObject } from "../../../provider/kubeApi";
import { changePullSecrets, EntryInputs } from "../../../provider/serviceAccountEntry";

/** An in-memory ServiceAccount endpoint with resourceVersion semantics like the API server's. */
class FakeServiceAccounts {
    account: (ServiceAccountObject & { metadata: { resourceVersion: string } }) | undefined;
    patches = 0;
    /** Runs before each patch is applied: lets a test play a concurrent writer. */
    beforePatch: () => void = () => undefined;
    /** Reads that find nothing before the account appears (the controller's delay). */
    missingReads = 0;

    constructor(list?: { name: string }[]) {
        this.account = { metadata: { resourceVersion: "1" }, ...(list ? { imagePullSecrets: list } : {}) };
    }

    write(list: { name: string }[] | null): void {
        const version = String(Number(this.account!.metadata.resourceVersion) + 1);
        this.account = { metadata: { resourceVersion: version }, ...(list ? { imagePullSecrets: list } : {}) };
    }

    api(): CoreApi {
        const unused = async (): Promise<never> => {
            throw new Error("unused");
        };
        const notFound = () => Object.assign(new Error("not found"), { code: 404, body: { message: 'serviceaccounts "default" not found' } });
        return {
            listNamespace: unused,
            listServiceAccountForAllNamespaces: unused,
            readNamespacedServiceAccount: async () => {
                if (this.missingReads > 0) {
                    this.missingReads--;
                    throw notFound();
                }
                if (!this.account) throw notFound();
                return JSON.parse(JSON.stringify(this.account));
            },
            patchNamespacedServiceAccount: async ({ body }: { body: object }) => {
                this.beforePatch();
                const patch = body as { metadata: { resourceVersion: string }; imagePullSecrets: { name: string }[] | null };
                if (!this.account) throw notFound();
                if (patch.metadata.resourceVersion !== this.account.metadata.resourceVersion) {
                    throw Object.assign(new Error("conflict"), { code: 409, body: { message: "the object has been modified" } });
                }
                this.patches++;
                this.write(patch.imagePullSecrets);
                return this.account;
            },
            readNamespacedSecret: unused,
            createNamespacedSecret: unused,
            patchNamespacedSecret: unused,
            deleteNamespacedSecret: unused,
            readNamespace: unused,
        };
    }
}

const inputs: EntryInputs = { namespace: "apps", serviceAccount: "default", secretName: "regcred", waitSeconds: 5 };
const add = (list: { name?: string }[] | undefined) => withPullSecret(list, "regcred");
const remove = (list: { name?: string }[] | undefined) => withoutPullSecret(list, "regcred");

describe("ServiceAccount read-modify-write", () => {
    it("adds ours next to entries others added", async () => {
        const fake = new FakeServiceAccounts([{ name: "dockerhub" }]);
        await changePullSecrets({ api: fake.api(), mergePatch: {} }, inputs, add, "wait");
        assert.deepStrictEqual(fake.account!.imagePullSecrets, [{ name: "dockerhub" }, { name: "regcred" }]);
    });

    it("writes nothing when ours is already present", async () => {
        const fake = new FakeServiceAccounts([{ name: "regcred" }]);
        await changePullSecrets({ api: fake.api(), mergePatch: {} }, inputs, add, "wait");
        assert.strictEqual(fake.patches, 0);
    });

    it("a concurrent writer's entry survives: conflict, re-read, retry", async () => {
        const fake = new FakeServiceAccounts([{ name: "a" }]);
        let raced = false;
        fake.beforePatch = () => {
            if (!raced) {
                raced = true;
                fake.write([{ name: "a" }, { name: "concurrent" }]);
            }
        };
        await changePullSecrets({ api: fake.api(), mergePatch: {} }, inputs, add, "wait");
        assert.deepStrictEqual(fake.account!.imagePullSecrets, [{ name: "a" }, { name: "concurrent" }, { name: "regcred" }]);
    });

    it("keeps retrying through a burst of conflicts while its time budget lasts", async () => {
        const fake = new FakeServiceAccounts([]);
        let conflicts = 0;
        fake.beforePatch = () => {
            if (conflicts++ < 25) fake.write([{ name: `busy-${conflicts}` }]);
        };
        await changePullSecrets({ api: fake.api(), mergePatch: {} }, inputs, add, "wait", 60_000);
        assert.deepStrictEqual(fake.account!.imagePullSecrets, [{ name: "busy-25" }, { name: "regcred" }]);
    });

    it("gives up with a clear error once conflicts outlast the time budget", async () => {
        const fake = new FakeServiceAccounts([]);
        fake.beforePatch = () => fake.write([{ name: "busy" }]);
        await assert.rejects(
            changePullSecrets({ api: fake.api(), mergePatch: {} }, inputs, add, "wait", 300),
            /updating imagePullSecrets of ServiceAccount apps\/default failed after \d+ conflicting writes in 0s: HTTP 409: the object has been modified/,
        );
    });

    it("waits for the default ServiceAccount the controller creates", async () => {
        const fake = new FakeServiceAccounts();
        fake.missingReads = 3;
        await changePullSecrets({ api: fake.api(), mergePatch: {} }, inputs, add, "wait");
        assert.deepStrictEqual(fake.account!.imagePullSecrets, [{ name: "regcred" }]);
    });

    it("fails with the reason and the fix when the ServiceAccount never appears", async () => {
        const fake = new FakeServiceAccounts();
        fake.account = undefined;
        await assert.rejects(
            changePullSecrets({ api: fake.api(), mergePatch: {} }, { ...inputs, serviceAccount: "builder", waitSeconds: 1 }, add, "wait"),
            /ServiceAccount apps\/builder did not appear within 1s: create it, or remove "builder" from this namespace's serviceAccounts \(or raise serviceAccountWaitSeconds\)/,
        );
    });

    it("removal keeps others and drops the field when ours was the only entry", async () => {
        const fake = new FakeServiceAccounts([{ name: "x" }, { name: "regcred" }]);
        await changePullSecrets({ api: fake.api(), mergePatch: {} }, inputs, remove, "skip");
        assert.deepStrictEqual(fake.account!.imagePullSecrets, [{ name: "x" }]);
        const alone = new FakeServiceAccounts([{ name: "regcred" }]);
        await changePullSecrets({ api: alone.api(), mergePatch: {} }, inputs, remove, "skip");
        assert.strictEqual(alone.account!.imagePullSecrets, undefined);
    });

    it("removal succeeds when the ServiceAccount is already gone", async () => {
        const fake = new FakeServiceAccounts();
        fake.account = undefined;
        await changePullSecrets({ api: fake.api(), mergePatch: {} }, inputs, remove, "skip");
    });
});
