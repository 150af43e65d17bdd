import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { argsOf, construct, sdkInternals } from "../../provider/construct";
import { types } from "../../components/contract";

/** The value and secret-ness of an Output, through the SDK's own (internal) accessors. */
async function settled<T>(output: pulumi.Output<T>): Promise<{ value: T; secret: boolean }> {
    const internal = output as unknown as { promise(): Promise<T>; isSecret: Promise<boolean> };
    return { value: await internal.promise(), secret: await internal.isSecret };
}

describe("construct: the component built by the plugin for other languages", () => {
    it("finds every SDK internal it needs in the installed @pulumi/pulumi", () => {
        const sdk = sdkInternals();
        for (const [name, fn] of Object.entries(sdk)) assert.strictEqual(typeof fn, "function", name);
    });

    it("turns a key file that arrived parsed (Pulumi YAML reads JSON config as an object) back into text, still secret", async () => {
        const args = argsOf({ registries: ["gcr.io"], jsonKey: pulumi.secret({ type: "service_account", client_email: "a@b.c" }) });
        assert.deepStrictEqual(args.registries, ["gcr.io"]);
        const key = await settled(pulumi.output(args.jsonKey!));
        assert.strictEqual(key.value, '{"type":"service_account","client_email":"a@b.c"}');
        assert.strictEqual(key.secret, true);
    });

    it("passes a key given as text unchanged, and leaves a missing key missing", async () => {
        const key = await settled(pulumi.output(argsOf({ jsonKey: pulumi.secret("e30=") }).jsonKey!));
        assert.deepStrictEqual(key, { value: "e30=", secret: true });
        assert.ok(!("jsonKey" in argsOf({ registries: ["gcr.io"] })));
    });

    it("refuses a type the package does not have, naming the one it has", async () => {
        const request = new provproto.ConstructRequest();
        request.setType("gcr-pull-secrets:index:Other");
        await assert.rejects(construct(request, "127.0.0.1:1"), (error: Error) => error.message.includes(types.component));
    });
});
