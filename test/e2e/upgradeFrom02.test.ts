/**
 * A stack deployed with 0.2.0 moves to this release with one `pulumi up`: its provider, which held
 * the whole docker config, now holds the key (docs/security.md), and each PullSecret is updated in
 * place to carry its owner id (docs/ownership.md). No Secret is replaced or its content rewritten,
 * and every ServiceAccount keeps our entry throughout.
 */
import { EngineEvent } from "@pulumi/pulumi/automation";
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ownerIdAnnotation } from "../../components/contract";
import { makeThrowawayKey } from "../../dev/keys/throwawayKey";
import {
    appendPullSecret,
    changes,
    createNamespace,
    createTestStack,
    kube,
    projectAtCommit,
    pullSecretNames,
    readPullSecret,
    uniqueNamespace,
} from "./harness";
import { watchPullAccess } from "./pullAccessWatch";

/** The 0.2 release on main: the provider's configuration holds dockerConfigJson. */
const version02 = "3720b5c";

type StateResource = { type: string; urn: string; inputs?: Record<string, unknown> };

describe("end to end: upgrading a stack deployed with 0.2 (the docker config in the provider's configuration)", function () {
    it("one pulumi up moves the provider to the key and gives each Secret its owner id, in place: nothing replaced, no moment without the entry", async () => {
        const existing = uniqueNamespace("up02-existing");
        const created = uniqueNamespace("up02-created");
        await createNamespace(existing);
        await appendPullSecret(existing, "someone-elses");
        const settings = { registries: ["asia.gcr.io", "europe-west1-docker.pkg.dev"], namespaces: [existing, { name: created, create: true }] };
        const key = makeThrowawayKey("upgrade02");

        const oldDir = projectAtCommit(version02, ["provider"]);
        const old = await createTestStack({ workDir: oldDir });
        let current: Awaited<ReturnType<typeof createTestStack>> | undefined;
        try {
            old.setSettings(settings);
            await old.setJsonKey(key);
            assert.strictEqual((await old.stack.up({ ...old.io })).summary.result, "succeeded");
            const providerOf = (state: string) =>
                (JSON.parse(state).deployment.resources as StateResource[]).find(
                    (r) => r.type === "pulumi:providers:gcr-pull-secrets" && !r.urn.endsWith("-cluster") && !r.urn.endsWith("-stack-identity"),
                )!;
            assert.ok("dockerConfigJson" in providerOf(old.exportState()).inputs!, "0.2's provider holds the docker config");
            const before: Record<string, Awaited<ReturnType<typeof readPullSecret>>> = {};
            for (const ns of [existing, created]) before[ns] = await readPullSecret(ns);

            const stackFile = `Pulumi.${old.name}.yaml`;
            current = await createTestStack({ name: old.name, select: true });
            fs.copyFileSync(path.join(oldDir, stackFile), path.join(current.stack.workspace.workDir, stackFile));
            const watching = await watchPullAccess({ [existing]: ["default"], [created]: ["default"] });
            // Besides the watches, the entry polled as a user's check would.
            let polls = 0;
            const polled: string[] = [];
            let polling = true;
            const poller = (async () => {
                while (polling) {
                    for (const ns of [existing, created]) {
                        const names = await pullSecretNames(ns);
                        polls++;
                        if (!names.includes("regcred")) polled.push(`${ns}: [${names.join(",")}]`);
                    }
                    await new Promise((resolve) => setTimeout(resolve, 50));
                }
            })();
            const steps: string[] = [];
            const onEvent = (event: EngineEvent) => {
                const step = event.resOutputsEvent?.metadata;
                if (step) steps.push(`${step.op} ${step.type}`);
            };
            const upgraded = await current.stack.up({ ...current.io, onEvent }).finally(() => {
                watching.stop();
                polling = false;
            });
            await poller;
            assert.strictEqual(upgraded.summary.result, "succeeded");
            // Ours moves to the key; the Kubernetes provider (for the created namespace) stops carrying KUBECONFIG's path;
            // each PullSecret is updated in place to write its owner id and the stack's identity (made now) on the Secret.
            assert.deepStrictEqual(
                steps.filter((step) => !step.startsWith("same ")).sort(),
                [
                    "create gcr-pull-secrets:index:StackIdentity",
                    "create pulumi:providers:gcr-pull-secrets",
                    "update gcr-pull-secrets:index:PullSecret",
                    "update gcr-pull-secrets:index:PullSecret",
                    "update pulumi:providers:gcr-pull-secrets",
                    "update pulumi:providers:kubernetes",
                ],
                "the providers and the PullSecrets are updated, nothing replaced",
            );
            assert.deepStrictEqual(changes(upgraded.summary.resourceChanges), { create: 2, update: 4 });
            assert.deepStrictEqual(watching.problems, [], `pull access was interrupted:\n${watching.events.join("\n")}`);
            assert.deepStrictEqual(polled, [], "a poll saw a ServiceAccount without our entry");
            assert.ok(polls > 10, `the entry was polled ${polls} times`);
            for (const ns of [existing, created]) {
                const secret = await kube().core.readNamespacedSecret({ name: "regcred", namespace: ns });
                assert.ok(secret.metadata?.annotations?.[ownerIdAnnotation], `the Secret in ${ns} carries its owner id`);
            }
            for (const ns of [existing, created])
                assert.deepStrictEqual(await readPullSecret(ns), before[ns], `the Secret in ${ns} was replaced or its content changed`);
            assert.deepStrictEqual(await pullSecretNames(existing), ["someone-elses", "regcred"]);

            const provider = providerOf(current.exportState());
            assert.ok("jsonKey" in provider.inputs! && !("dockerConfigJson" in provider.inputs!), "the provider holds the key, not the docker config");
            const again = await current.stack.preview({ ...current.io });
            assert.deepStrictEqual(changes(again.changeSummary), {}, "a second run changes nothing");
        } finally {
            if (current) await current.dispose();
            else await old.dispose();
        }
        assert.deepStrictEqual(await pullSecretNames(existing), ["someone-elses"], "destroy removed only our entry");
    });
});
