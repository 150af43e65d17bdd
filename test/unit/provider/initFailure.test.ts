import * as grpc from "@grpc/grpc-js";
import * as assert from "assert";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as statusproto from "@pulumi/pulumi/proto/status_pb";
import { ResourceHandler, ResourceInitError } from "../../../provider/resourceHandler";
import { ProviderImplementation, providerService } from "../../../provider/server";

const urn = "urn:pulumi:dev::gcr-pull-secrets::gcr-pull-secrets:index:PullSecret::p-apps";

function serviceWith(create: ResourceHandler["create"]) {
    const handler = { create } as unknown as ResourceHandler;
    // No customTimeouts or Cancel in these calls: the operation just runs.
    const operation = <T>(_timeout: number, _verb: string, _urn: string, work: () => Promise<T>) => work();
    return providerService({ handler: () => handler, operation } as unknown as ProviderImplementation);
}

function createCall(service: grpc.UntypedServiceImplementation): Promise<{ error: grpc.ServiceError | null; value?: unknown }> {
    const request = new provproto.CreateRequest();
    request.setUrn(urn);
    request.setProperties(structproto.Struct.fromJavaScript({ namespace: "apps" }));
    return new Promise((resolve) =>
        (service.create as (call: unknown, callback: (error: grpc.ServiceError | null, value?: unknown) => void) => void)(
            { request },
            (error: grpc.ServiceError | null, value?: unknown) => resolve({ error, value }),
        ),
    );
}

describe("provider server: a half-done create reaches the engine as an initialization failure", () => {
    it("carries the id and outputs in google.rpc.Status details (pulumirpc.ErrorResourceInitFailed), as the engine reads them", async () => {
        const service = serviceWith(async (_inputs, call) => {
            assert.strictEqual(call?.urn, urn, "the handler learns which resource");
            throw new ResourceInitError("Secret apps/regcred was written, but not every ServiceAccount lists it", "apps/regcred", { attached: [], uid: "u1" });
        });
        const { error } = await createCall(service);
        assert.ok(error);
        assert.strictEqual(error.code, grpc.status.UNKNOWN);
        const [details] = error.metadata.get("grpc-status-details-bin") as Buffer[];
        const status = statusproto.Status.deserializeBinary(new Uint8Array(details));
        assert.strictEqual(status.getMessage(), "Secret apps/regcred was written, but not every ServiceAccount lists it");
        const [packed] = status.getDetailsList();
        assert.strictEqual(packed.getTypeUrl(), "type.googleapis.com/pulumirpc.ErrorResourceInitFailed");
        const detail = provproto.ErrorResourceInitFailed.deserializeBinary(packed.getValue_asU8());
        assert.strictEqual(detail.getId(), "apps/regcred");
        assert.deepStrictEqual(detail.getProperties()?.toJavaScript(), { attached: [], uid: "u1" });
        assert.deepStrictEqual(detail.getReasonsList(), ["Secret apps/regcred was written, but not every ServiceAccount lists it"]);
    });

    it("any other error is a plain failure: nothing was written, nothing to record", async () => {
        const { error } = await createCall(
            serviceWith(async () => {
                throw new Error("creating Secret apps/regcred failed: forbidden");
            }),
        );
        assert.strictEqual(error?.message, "creating Secret apps/regcred failed: forbidden");
        assert.deepStrictEqual(error?.metadata.get("grpc-status-details-bin"), []);
    });
});
