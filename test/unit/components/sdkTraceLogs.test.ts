import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as log from "@pulumi/pulumi/log";
import { dropSdkTraceLogs, isSdkTrace, keepTraceLogsVariable, sdkTracePrefixes } from "../../../components/sdkTraceLogs";

const runtimeDir = path.join(path.dirname(require.resolve("@pulumi/pulumi/package.json")), "runtime");

/** The opening text of every `log.debug(`...`)` message in one of the SDK's runtime files. */
function sdkDebugMessages(file: string): string[] {
    const source = fs.readFileSync(path.join(runtimeDir, file), "utf8");
    return [...source.matchAll(/log\.debug\((`[^`$]*|label)/g)].map((match) => match[1].replace(/^`/, ""));
}

type Debug = typeof log.debug;
const mutableLog = log as unknown as { debug: Debug };

/** Runs `work` with the SDK's `log.debug` replaced by a recorder (and the filter, if `work` installs it); restores it. */
function withRecordedDebug(work: () => void): string[] {
    const original = mutableLog.debug;
    const sent: string[] = [];
    mutableLog.debug = ((message: string) => {
        sent.push(message);
        return Promise.resolve();
    }) as Debug;
    try {
        work();
        return sent;
    } finally {
        mutableLog.debug = original;
    }
}

describe("the SDK's per-operation debug traces", () => {
    it("drops the traces of calls that went well", () => {
        for (const message of [
            "Registering resource: t=gcr-pull-secrets:index:PullSecret, name=gcr-pull-secrets-team-a, custom=true, remote=false",
            "RegisterResource RPC prepared: t=gcr-pull-secrets:index:PullSecret, name=gcr-pull-secrets-team-a",
            "RegisterResource RPC finished: resource:gcr-pull-secrets-team-a[gcr-pull-secrets:index:PullSecret]; err: null, resp: [object Object]",
            "RegisterResource RPC finished: resource:x[t]; err: undefined, resp: [object Object]",
            "Invoking function: tok=gcr-pull-secrets:index:verifyPullAccess asynchronously",
            "Invoke RPC finished: tok=gcr-pull-secrets:index:verifyPullAccess; err: null, resp: [object Object]",
        ]) {
            assert.ok(isSdkTrace(message), message);
        }
    });

    it("keeps a trace that carries an error, and every other message", () => {
        for (const message of [
            "RegisterResource RPC finished: resource:x[t]; err: Error: 14 UNAVAILABLE: No connection established, resp: undefined",
            "Invoke RPC finished: tok=t; err: Error: 2 UNKNOWN: the cluster did not answer, resp: undefined",
            "RegisterResource RPC failed: t=gcr-pull-secrets:index:PullSecret, name=x, err=Error: boom",
            "waiting for ServiceAccount team-a/default",
            "registering resource team-a (said by someone else)",
        ]) {
            assert.ok(!isSdkTrace(message), message);
        }
    });

    it("knows every per-operation trace of the installed SDK, and each prefix still exists there", () => {
        const messages = [...sdkDebugMessages("resource.js"), ...sdkDebugMessages("invoke.js")];
        assert.ok(messages.length >= 15, `found ${messages.length} log.debug calls; has the SDK moved them?`);
        // `label` is the invoke trace "Invoking function: ..." / "Calling function: ..."; failures are kept on purpose.
        const kept = messages.filter((message) => message !== "label" && !sdkTracePrefixes.some((prefix) => message.startsWith(prefix.trimEnd())));
        assert.deepStrictEqual(kept, ["RegisterResource RPC failed: t="]);
        const sources = ["resource.js", "invoke.js"].map((file) => fs.readFileSync(path.join(runtimeDir, file), "utf8")).join("\n");
        for (const prefix of sdkTracePrefixes) assert.ok(sources.includes(prefix.trimEnd()), `the SDK no longer says "${prefix}"`);
    });

    it("once installed, sends the engine every debug message but those traces", () => {
        const sent = withRecordedDebug(() => {
            assert.strictEqual(dropSdkTraceLogs({}), true);
            assert.strictEqual(dropSdkTraceLogs({}), true, "a second call changes nothing");
            void log.debug("Registering resource: t=pulumi:providers:gcr-pull-secrets, name=p, custom=true, remote=false");
            void log.debug("RegisterResource RPC finished: resource:p[t]; err: null, resp: [object Object]");
            void log.debug("RegisterResource RPC finished: resource:p[t]; err: Error: 14 UNAVAILABLE, resp: undefined");
            void log.debug("our own message");
        });
        assert.deepStrictEqual(sent, ["RegisterResource RPC finished: resource:p[t]; err: Error: 14 UNAVAILABLE, resp: undefined", "our own message"]);
    });

    it(`keeps them all when ${keepTraceLogsVariable}=true`, () => {
        const sent = withRecordedDebug(() => {
            assert.strictEqual(dropSdkTraceLogs({ [keepTraceLogsVariable]: "true" }), false);
            void log.debug("Registering resource: t=x, name=y, custom=true, remote=false");
        });
        assert.deepStrictEqual(sent, ["Registering resource: t=x, name=y, custom=true, remote=false"]);
    });
});
