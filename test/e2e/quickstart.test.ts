/*
 * The README's quickstart, run for real against the local control plane: every `pulumi` command of
 * its code block, in order, in a fresh copy of the project with a file backend. Nothing here can
 * reach Google, so the one credential line (`serviceAccount.accountId`) becomes the README's other
 * source, a `jsonKey` (a throwaway key), and the grant lines that only a created account allows are
 * left out; `npm ci` is already done and `pulumi login --local` is the suite's temp backend.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { makeThrowawayKey } from "../../dev/keys/throwawayKey";
import { formatValidation, validateStackFile } from "../../scripts/validateStack";
import { createTestStack, kube, pullSecretNames } from "./harness";

const readme = fs.readFileSync(path.resolve(__dirname, "../../README.md"), "utf8");

/** The commands of the README's quickstart, comments removed, as shell words. */
function quickstart(): string[][] {
    const section = readme.slice(readme.indexOf("## Quickstart on a real cluster"));
    const block = /```sh\n([\s\S]*?)```/.exec(section)![1];
    return block
        .split("\n")
        .map((line) => line.replace(/\s+#.*$/, "").trim())
        .filter(Boolean)
        .map((line) => [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]));
}

describe("end to end: the README quickstart, as written", function () {
    it("its commands, with a jsonKey for the Google account, give every listed namespace pull access", async () => {
        const commands = quickstart();
        const init = commands.find((c) => c.join(" ").startsWith("pulumi stack init"))!;
        const stackName = init[3];
        // createTestStack is `pulumi stack init <name>` in a fresh copy of the project.
        const t = await createTestStack({ name: `${stackName}-${Date.now().toString(36)}` });
        const keyFile = path.join(t.backendDir, "key.json");
        fs.writeFileSync(keyFile, makeThrowawayKey("quickstart"));
        const ran: string[] = [];
        try {
            for (const words of commands) {
                const line = words.join(" ");
                if (line === "npm ci" || line.startsWith("pulumi login") || line.startsWith("pulumi stack init")) continue;
                if (line.includes("serviceAccount.accountId")) {
                    const set = await t.runCli(["config", "set", "--secret", "gcr-pull-secrets:jsonKey", fs.readFileSync(keyFile, "utf8")]);
                    assert.strictEqual(set.code, 0, set.output);
                    ran.push("pulumi config set --secret gcr-pull-secrets:jsonKey < key.json");
                    continue;
                }
                if (line.includes("artifactRegistryRepositories")) continue; // grants need a created account
                if (line.startsWith("npm run validate-config")) {
                    const result = validateStackFile(t.stack.workspace.workDir, t.name);
                    assert.deepStrictEqual(result.problems, [], formatValidation(t.name, result));
                    ran.push(line);
                    continue;
                }
                assert.strictEqual(words[0], "pulumi", `unexpected quickstart command: ${line}`);
                const args = words.slice(1);
                const run = await t.runCli(args[0] === "up" ? [...args, "--yes"] : args);
                assert.strictEqual(run.code, 0, `${line}\n${run.output}`);
                ran.push(line);
            }
            assert.ok(ran.includes("pulumi up") && ran.some((c) => c.startsWith("pulumi preview")), `the quickstart ran: ${ran.join("; ")}`);
            for (const ns of ["default", "team-a"]) {
                assert.strictEqual((await kube().core.readNamespacedSecret({ name: "regcred", namespace: ns })).type, "kubernetes.io/dockerconfigjson");
                assert.ok((await pullSecretNames(ns)).includes("regcred"), `${ns}/default lists regcred`);
            }
        } finally {
            await t.dispose();
        }
        assert.ok(!(await pullSecretNames("default")).includes("regcred"), "destroy took our entry out of default again");
    });
});
