import * as assert from "assert";
import * as grpc from "@grpc/grpc-js";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { ResourceHandler } from "../../../provider/resourceHandler";
import { ProviderImplementation, providerService } from "../../../provider/server";

/**
 * The gRPC side of Cancel and customTimeouts: the engine's Cancel reaches the provider, and each
 * Create, Read, Update and Delete runs as an operation with the timeout its request carries.
 */
describe("the provider's gRPC service: Cancel and customTimeouts", () => {
    const urn = "urn:pulumi:dev::gcr-pull-secrets::gcr-pull-secrets:index:GcrPullSecrets$gcr-pull-secrets:index:PullSecret::pull-apps";
    const handler: ResourceHandler = {
        check: async (_olds, news) => ({ inputs: news, failures: [] }),
        diff: async () => ({ changes: false, replaces: [], diffs: [] }),
        create: async () => ({ id: "apps/regcred", outs: {} }),
        read: async (id) => ({ id, props: {} }),
        update: async () => ({ outs: {} }),
        delete: async () => undefined,
    };

    function serviceRecording(): { service: grpc.UntypedServiceImplementation; operations: string[]; cancels: () => number } {
        const operations: string[] = [];
        let cancels = 0;
        const provider = {
            handler: () => handler,
            cancel: () => void cancels++,
            operation: (timeoutSeconds: number, verb: string, operationUrn: string, work: () => Promise<unknown>) => {
                operations.push(`${verb} ${operationUrn.split("::").pop()} within ${timeoutSeconds}s`);
                return work();
            },
        } as unknown as ProviderImplementation;
        return { service: providerService(provider), operations, cancels: () => cancels };
    }

    const call = (service: grpc.UntypedServiceImplementation, method: string, request: unknown) =>
        new Promise((resolve, reject) =>
            (service[method] as (call: unknown, callback: (error: unknown, value?: unknown) => void) => void)({ request }, (error, value) =>
                error ? reject(error) : resolve(value),
            ),
        );

    it("runs Create, Read, Update and Delete with the timeout of their request (0: none set)", async () => {
        const { service, operations } = serviceRecording();
        const empty = () => structproto.Struct.fromJavaScript({});
        const create = new provproto.CreateRequest();
        create.setUrn(urn);
        create.setProperties(empty());
        create.setTimeout(90);
        await call(service, "create", create);
        const read = new provproto.ReadRequest();
        read.setUrn(urn);
        read.setId("apps/regcred");
        read.setProperties(empty());
        await call(service, "read", read);
        const update = new provproto.UpdateRequest();
        update.setUrn(urn);
        update.setOlds(empty());
        update.setNews(empty());
        update.setTimeout(30.5);
        await call(service, "update", update);
        const remove = new provproto.DeleteRequest();
        remove.setUrn(urn);
        remove.setProperties(empty());
        remove.setTimeout(600);
        await call(service, "delete", remove);
        assert.deepStrictEqual(operations, [
            "creating pull-apps within 90s",
            "reading pull-apps within 0s",
            "updating pull-apps within 30.5s",
            "deleting pull-apps within 600s",
        ]);
    });

    it("passes the engine's Cancel on, and answers it", async () => {
        const { service, cancels } = serviceRecording();
        await call(service, "cancel", {});
        assert.strictEqual(cancels(), 1);
    });
});
