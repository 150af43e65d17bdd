/**
 * A stack deployed with 0.2 (whose provider held the whole docker config) moves to the provider
 * configuration that holds the key (issue 23) with one `pulumi up`: the provider is updated in
 * place, no PullSecret is touched, and every ServiceAccount keeps our entry throughout.
 */
import { EngineEvent } from "@pulumi/pulumi/automation";
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { makeThrowawayKey } from "../../tools/throwawayKey";
import { appendPullSecret, changes, createNamespace, createTestStack, projectAtCommit, pullSecretNames, readPullSecret, uniqueNamespace } from "./harness";
import { watchPullAccess } from "./pullAccessWatch";

/** The 0.2 release on main: the provider's configuration holds dockerConfigJson. */
const version02 = "3720b5c";

type StateResource = { type: string; urn: string; inputs?: Record<string, unknown> };

describe("end to end: upgrading a stack deployed with 0.2 (the docker config in the provider's configuration)", function () {
    it("one pulumi up moves the provider to the key in place: no PullSecret replaced or rewritten, no moment without the entry", async () => {
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
                    (r) => r.type === "pulumi:providers:gcr-pull-secrets" && !r.urn.endsWith("-cluster"),
                )!;
            assert.ok("dockerConfigJson" in providerOf(old.exportState()).inputs!, "0.2's provider holds the docker config");
            const before: Record<string, Awaited<ReturnType<typeof readPullSecret>>> = {};
            for (const ns of [existing, created]) before[ns] = await readPullSecret(ns);

            const stackFile = `Pulumi.${old.name}.yaml`;
            current = await createTestStack({ name: old.name, select: true });
            fs.copyFileSync(path.join(oldDir, stackFile), path.join(current.stack.workspace.workDir, stackFile));
            const watching = await watchPullAccess([existing, created], { [existing]: ["default"], [created]: ["default"] });
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
            // Ours moves to the key; the Kubernetes provider (for the created namespace) stops carrying KUBECONFIG's path.
            assert.deepStrictEqual(
                steps.filter((step) => !step.startsWith("same ")).sort(),
                ["update pulumi:providers:gcr-pull-secrets", "update pulumi:providers:kubernetes"],
                "only the providers are updated",
            );
            assert.strictEqual(steps.filter((step) => step === "same gcr-pull-secrets:index:PullSecret").length, 2, "every PullSecret is the same");
            assert.deepStrictEqual(changes(upgraded.summary.resourceChanges), { update: 2 });
            assert.deepStrictEqual(watching.problems, [], `pull access was interrupted:\n${watching.events.join("\n")}`);
            assert.deepStrictEqual(polled, [], "a poll saw a ServiceAccount without our entry");
            assert.ok(polls > 10, `the entry was polled ${polls} times`);
            assert.deepStrictEqual(
                watching.events.filter((event) => / secret /.test(event) && !event.startsWith("ADDED")),
                [],
                "no Secret was written",
            );
            for (const ns of [existing, created]) assert.deepStrictEqual(await readPullSecret(ns), before[ns], `the Secret in ${ns} changed`);
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
