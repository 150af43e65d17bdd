import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as aliasproto from "@pulumi/pulumi/proto/alias_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { argsOf, construct, optionsOf, sdkInternals } from "../../../provider/construct";
import { types } from "../../../components/contract";

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

describe("construct: the caller's options", () => {
    it("passes on the options the SDK's construct passes on: parent, dependencies, providers, aliases, protect, timeouts", async () => {
        const request = new provproto.ConstructRequest();
        request.setParent("urn:pulumi:dev::app::pulumi:pulumi:Stack::app-dev");
        request.setDependenciesList(["urn:pulumi:dev::app::kubernetes:core/v1:Namespace::ns"]);
        // A package whose SDK is not loaded: a reference to it stays a reference (a loaded one, such as
        // @pulumi/kubernetes, gets its own Provider class, which reads itself back from the engine).
        request.getProvidersMap().set("acme", "urn:pulumi:dev::app::pulumi:providers:acme::main::1234");
        const byUrn = new aliasproto.Alias();
        byUrn.setUrn("urn:pulumi:dev::app::gcr-pull-secrets:index:GcrPullSecrets::old");
        const byName = new aliasproto.Alias();
        const spec = new aliasproto.Alias.Spec();
        spec.setName("older");
        spec.setNoparent(true);
        byName.setSpec(spec);
        request.setAliasesList([byUrn, byName]);
        request.setProtect(true);
        request.setRetainondelete(true);
        request.setIgnorechangesList(["registries"]);
        const timeouts = new provproto.ConstructRequest.CustomTimeouts();
        timeouts.setCreate("5m");
        request.setCustomtimeouts(timeouts);

        const options = optionsOf(sdkInternals(), request);
        assert.strictEqual(await settled((options.parent as pulumi.Resource).urn).then((u) => u.value), "urn:pulumi:dev::app::pulumi:pulumi:Stack::app-dev");
        assert.strictEqual((options.dependsOn as pulumi.Resource[]).length, 1);
        const providers = options.providers as Record<string, pulumi.ProviderResource>;
        assert.ok(providers.acme instanceof pulumi.ProviderResource);
        assert.strictEqual(await settled(providers.acme.urn).then((u) => u.value), "urn:pulumi:dev::app::pulumi:providers:acme::main");
        assert.deepStrictEqual(options.aliases![0], "urn:pulumi:dev::app::gcr-pull-secrets:index:GcrPullSecrets::old");
        assert.deepStrictEqual(options.aliases![1], { name: "older", parent: pulumi.rootStackResource });
        assert.strictEqual(options.protect, true);
        assert.strictEqual(options.retainOnDelete, true);
        assert.deepStrictEqual(options.ignoreChanges, ["registries"]);
        assert.strictEqual(options.customTimeouts?.create, "5m");
        assert.ok(!("deletedWith" in options));
    });
});
