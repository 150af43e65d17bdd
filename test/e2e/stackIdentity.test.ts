/**
 * The stack identity (docs/ownership.md): two stacks of one `<project>/<stack>` name in two backends
 * on one cluster do not take each other's Secrets silently, and a stack deployed before identities
 * existed gets one with one `pulumi up`, its Secrets never missing an entry.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ownerIdAnnotation, stackIdentityAnnotation, types } from "../../components/contract";
import { makeThrowawayKey } from "../../dev/keys/throwawayKey";
import { changes, createNamespace, createTestStack, kube, projectAtCommit, pullSecretNames, readPullSecret, uniqueNamespace } from "./harness";
import { programCopy, pullSecretsInState, pullSecretUrn, stateResources } from "./ownershipHelpers";
import { upgradeWatched, watchPullAccess } from "./pullAccessWatch";

type DisposableStack = Awaited<ReturnType<typeof createTestStack>>;

/** The current main before stack identities: owner ids on the Secrets, no identity. */
const beforeIdentities = "d499487";

/** The id of the stack's StackIdentity, from its state. */
function identityInState(t: DisposableStack): string | undefined {
    const found = stateResources(t).filter((r) => r.type === types.stackIdentity);
    assert.ok(found.length <= 1, "one stack identity per stack");
    return (found[0] as { id?: string } | undefined)?.id;
}

/** The Secret as the test compares it: object, content and owner. */
async function secretSnapshot(ns: string) {
    const secret = await kube().core.readNamespacedSecret({ name: "regcred", namespace: ns });
    return {
        uid: secret.metadata?.uid,
        data: secret.data,
        ownerId: secret.metadata?.annotations?.[ownerIdAnnotation],
        identity: secret.metadata?.annotations?.[stackIdentityAnnotation],
    };
}

describe("end to end: the stack identity", function () {
    it("the same project and stack name in two backends: the second is refused naming the owner, takes it only with adopt, and then the first leaves it", async () => {
        const ns = uniqueNamespace("ident-two");
        await createNamespace(ns);
        const first = await createTestStack();
        // The same stack name, in another backend (another state bucket), from another checkout of the program.
        const otherBackend = fs.mkdtempSync(path.join(os.tmpdir(), "gcr-pull-secrets-e2e-backend-b-"));
        const second = await createTestStack({
            name: first.name,
            workDir: programCopy((source) => source),
            env: { PULUMI_BACKEND_URL: `file://${otherBackend}` },
        });
        try {
            first.setSettings({ registries: ["asia.gcr.io"], namespaces: [ns] });
            await first.setJsonKey(makeThrowawayKey("backend-a"));
            assert.strictEqual((await first.stack.up({ ...first.io })).summary.result, "succeeded");
            const firstIdentity = identityInState(first);
            assert.ok(firstIdentity, "the first stack has an identity");
            const written = await secretSnapshot(ns);
            assert.strictEqual(written.identity, firstIdentity, "the Secret carries the first stack's identity");
            const firstUrn = pullSecretUrn(first, ns);

            second.setSettings({ registries: ["asia.gcr.io"], namespaces: [ns] });
            await second.setJsonKey(makeThrowawayKey("backend-b"));
            // Refused already by the preview of its first update (its identity is not made yet: a new one).
            const previewed = await second.runCli(["preview"]);
            assert.notStrictEqual(previewed.code, 0, "the preview refuses");
            assert.ok(previewed.output.includes(`Secret ${ns}/regcred is owned by resource ${firstUrn}`), previewed.output);
            assert.match(previewed.output, /a stack of this stack's name, but not this stack/);
            const refused = await second.runCli(["up", "--yes", "--skip-preview"]);
            assert.notStrictEqual(refused.code, 0, "the second stack does not take the Secret silently");
            assert.ok(firstUrn.length > 0 && refused.output.includes(`Secret ${ns}/regcred is owned by resource ${firstUrn}`), refused.output);
            assert.match(refused.output, new RegExp(`owner id ${written.ownerId}, stack identity ${firstIdentity}`));
            assert.match(refused.output, /set adopt: true on namespace/);
            assert.match(refused.output, /choose another secretName/);
            assert.notStrictEqual(identityInState(second), firstIdentity, "two backends, two identities");
            assert.deepStrictEqual(await secretSnapshot(ns), written, "the first stack's Secret is untouched: same object, content and owner");
            assert.deepStrictEqual(await pullSecretNames(ns), ["regcred"]);
            assert.strictEqual(pullSecretsInState(second)[ns], undefined, "nothing of it in the second stack's state");

            // On purpose: adopt. Taken over in place, pods keep pulling.
            second.setSettings({ registries: ["asia.gcr.io"], namespaces: [{ name: ns, adopt: true }] });
            const watching = await watchPullAccess({ [ns]: ["default"] });
            const adopted = await second.stack.up({ ...second.io }).finally(watching.stop);
            assert.strictEqual(adopted.summary.result, "succeeded");
            assert.deepStrictEqual(watching.problems, [], `pull access lapsed:\n${watching.events.join("\n")}`);
            const taken = await secretSnapshot(ns);
            assert.strictEqual(taken.uid, written.uid, "adopted in place");
            assert.notDeepStrictEqual(taken.data, written.data, "with the second stack's key");
            assert.strictEqual(taken.identity, identityInState(second));
            assert.strictEqual(taken.ownerId, pullSecretsInState(second)[ns][0].outputs?.ownerId);

            // The first stack sees who holds it now, does not take it back, and its destroy leaves it.
            const refreshed = await first.runCli(["refresh", "--yes", "--skip-preview"]);
            assert.strictEqual(refreshed.code, 0, refreshed.output);
            assert.match(String(pullSecretsInState(first)[ns][0].outputs?.heldBy), new RegExp(`stack identity ${identityInState(second)}`));
            const retaken = await first.runCli(["up", "--yes", "--skip-preview"]);
            assert.notStrictEqual(retaken.code, 0, "the first stack does not take it back without adopt");
            assert.match(retaken.output, new RegExp(`Secret ${ns}/regcred is now owned by resource`));
            const destroyed = await first.runCli(["destroy", "--yes", "--skip-preview"]);
            assert.strictEqual(destroyed.code, 0, destroyed.output);
            assert.match(destroyed.output, /removed from the state only/);
            assert.deepStrictEqual(await secretSnapshot(ns), taken, "the first stack's destroy left the second's Secret as it was");
            assert.deepStrictEqual(await pullSecretNames(ns), ["regcred"]);
            assert.deepStrictEqual(changes((await second.stack.preview({ ...second.io })).changeSummary), {}, "the second stack's next preview is empty");

            assert.strictEqual((await second.stack.destroy({ ...second.io })).summary.result, "succeeded");
            assert.deepStrictEqual(await pullSecretNames(ns), []);
        } finally {
            await second.dispose();
            await first.dispose();
        }
    });

    it("a stack deployed before identities gets one with one pulumi up: Secrets updated in place, never without the entry, next preview empty", async () => {
        const namespaces = [uniqueNamespace("ident-up"), uniqueNamespace("ident-up")];
        for (const ns of namespaces) await createNamespace(ns);
        const oldDir = projectAtCommit(beforeIdentities, ["provider"]);
        const old = await createTestStack({ workDir: oldDir });
        let current: DisposableStack | undefined;
        try {
            old.setSettings({ registries: ["asia.gcr.io"], namespaces });
            await old.setJsonKey(makeThrowawayKey("before-identities"));
            assert.strictEqual((await old.stack.up({ ...old.io })).summary.result, "succeeded");
            const before: Record<string, Awaited<ReturnType<typeof readPullSecret>>> = {};
            const owners: Record<string, string | undefined> = {};
            for (const ns of namespaces) {
                before[ns] = await readPullSecret(ns);
                owners[ns] = (await secretSnapshot(ns)).ownerId;
                assert.strictEqual((await secretSnapshot(ns)).identity, undefined, "written without an identity");
            }

            const stackFile = `Pulumi.${old.name}.yaml`;
            current = await createTestStack({ name: old.name, select: true });
            fs.copyFileSync(path.join(oldDir, stackFile), path.join(current.stack.workspace.workDir, stackFile));
            const { result: upgraded, steps, watching } = await upgradeWatched(current, namespaces);
            assert.strictEqual(upgraded.summary.result, "succeeded");
            assert.deepStrictEqual(
                steps.sort(),
                [
                    "create gcr-pull-secrets:index:StackIdentity",
                    "create pulumi:providers:gcr-pull-secrets",
                    "update gcr-pull-secrets:index:PullSecret",
                    "update gcr-pull-secrets:index:PullSecret",
                ],
                "the identity is made and each PullSecret updated in place; nothing replaced",
            );
            assert.deepStrictEqual(watching.problems, [], `pull access was interrupted:\n${watching.events.join("\n")}`);
            const identity = identityInState(current);
            assert.ok(identity);
            for (const ns of namespaces) {
                const now = await secretSnapshot(ns);
                assert.strictEqual(now.identity, identity, `the Secret in ${ns} carries the stack's identity`);
                assert.strictEqual(now.ownerId, owners[ns], `the Secret in ${ns} keeps its owner`);
                assert.deepStrictEqual(await readPullSecret(ns), before[ns], `the Secret in ${ns} was replaced or its content changed`);
                assert.deepStrictEqual(await pullSecretNames(ns), ["regcred"]);
            }
            assert.deepStrictEqual(changes((await current.stack.preview({ ...current.io })).changeSummary), {}, "the next preview is empty");
        } finally {
            await (current ?? old).dispose();
        }
    });
});
