/**
 * The gRPC side of the provider plugin: the engine's ResourceProvider service, dispatching to one
 * handler per resource type.
 *
 * Written against the generated stubs rather than `@pulumi/pulumi/provider`'s `main`, whose server
 * (SDK 3.248) answers Configure without passing the configuration on and leaves CheckConfig and
 * DiffConfig unimplemented; this provider's cluster and docker config come from its configuration.
 */
import * as grpc from "@grpc/grpc-js";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as statusproto from "@pulumi/pulumi/proto/status_pb";
import * as anyproto from "google-protobuf/google/protobuf/any_pb";
import { CheckFailure, DiffOutcome, ResourceHandler, ResourceInitError } from "./resourceHandler";
import { typeOfUrn } from "../components/urn";

/** What the server asks of the provider. */
export interface ProviderImplementation {
    version: string;
    checkConfig(olds: Record<string, unknown>, news: Record<string, unknown>): CheckFailure[];
    diffConfig(olds: Record<string, unknown>, news: Record<string, unknown>): DiffOutcome;
    configure(args: Record<string, unknown>): void;
    /** The handler of a resource type token, or undefined for a type this provider does not know. */
    handler(type: string): ResourceHandler | undefined;
    /** Runs a function of the package; throws for a token this provider does not know. */
    invoke(token: string, args: Record<string, unknown>): Promise<Record<string, unknown>>;
    /** The package schema (JSON text) the engine asks for: what other languages see of the package. */
    schema: string;
    /** Builds a component of the package for a program in another language; throws for a type it does not know. */
    construct(request: provproto.ConstructRequest): Promise<provproto.ConstructResponse>;
    /** The engine's Cancel (Ctrl-C): pending and later cluster calls fail at once. */
    cancel(): void;
    /** Runs a Create, Read, Update or Delete within the resource's customTimeouts (`timeoutSeconds`, 0 for none). */
    operation<T>(timeoutSeconds: number, verb: string, urn: string, work: () => Promise<T>): Promise<T>;
}

type Callback = (error: grpc.ServiceError | null, value?: unknown) => void;
type Call = { request: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

function plain(struct: structproto.Struct | undefined): Record<string, unknown> {
    return (struct?.toJavaScript() ?? {}) as Record<string, unknown>;
}

function toStruct(value: Record<string, unknown>): structproto.Struct {
    // Struct rejects `undefined`; a JSON round trip drops such fields as the engine would.
    return structproto.Struct.fromJavaScript(JSON.parse(JSON.stringify(value)));
}

/**
 * The error the engine receives. A ResourceInitError travels as a google.rpc.Status whose details
 * hold pulumirpc.ErrorResourceInitFailed (id and outputs), in the `grpc-status-details-bin` trailer
 * the engine's gRPC client reads (as @pulumi/pulumi's provider server does): the engine then records
 * the resource, marked as not fully initialized, instead of forgetting what was written.
 */
function failed(error: unknown): grpc.ServiceError {
    const message = error instanceof Error ? error.message : String(error);
    const metadata = new grpc.Metadata();
    if (error instanceof ResourceInitError) {
        const detail = new provproto.ErrorResourceInitFailed();
        detail.setId(error.id);
        detail.setProperties(toStruct(error.outputs));
        detail.setReasonsList([message]);
        const packed = new anyproto.Any();
        packed.pack(detail.serializeBinary(), "pulumirpc.ErrorResourceInitFailed");
        const status = new statusproto.Status();
        status.setCode(grpc.status.UNKNOWN);
        status.setMessage(message);
        status.addDetails(packed);
        metadata.add("grpc-status-details-bin", Buffer.from(status.serializeBinary()));
    }
    return Object.assign(new Error(message), { code: grpc.status.UNKNOWN, details: message, metadata });
}

/** Runs `work` and answers the call with its result or its error. */
function answer<T>(callback: Callback, work: () => Promise<T> | T): void {
    Promise.resolve()
        .then(work)
        .then(
            (value) => callback(null, value),
            (error) => callback(failed(error)),
        );
}

function checkResponse(inputs: Record<string, unknown>, failures: CheckFailure[]): provproto.CheckResponse {
    const response = new provproto.CheckResponse();
    response.setInputs(toStruct(inputs));
    response.setFailuresList(
        failures.map((f) => {
            const failure = new provproto.CheckFailure();
            failure.setProperty(f.property);
            failure.setReason(f.reason);
            return failure;
        }),
    );
    return response;
}

/**
 * The engine's answer, with a detailed diff: without one the engine shows every input of a changed
 * resource, and two secrets can only ever look alike ([secret]), so a reader could not tell what
 * changed. With it, the preview shows just the changed properties (`~ dockerConfigDigest: "sha256:…" => "sha256:…"`).
 */
function diffResponse(outcome: DiffOutcome, olds: Record<string, unknown>, news: Record<string, unknown>): provproto.DiffResponse {
    const response = new provproto.DiffResponse();
    response.setChanges(outcome.changes ? provproto.DiffResponse.DiffChanges.DIFF_SOME : provproto.DiffResponse.DiffChanges.DIFF_NONE);
    response.setReplacesList(outcome.replaces);
    response.setDiffsList(outcome.diffs);
    response.setDeletebeforereplace(false);
    const Kind = provproto.PropertyDiff.Kind;
    const detailed = response.getDetaileddiffMap();
    for (const key of outcome.diffs) {
        const replace = outcome.replaces.includes(key);
        const kind = !(key in olds)
            ? replace
                ? Kind.ADD_REPLACE
                : Kind.ADD
            : !(key in news)
              ? replace
                  ? Kind.DELETE_REPLACE
                  : Kind.DELETE
              : replace
                ? Kind.UPDATE_REPLACE
                : Kind.UPDATE;
        const property = new provproto.PropertyDiff();
        property.setKind(kind);
        // `attached` is state the provider observed, not an input the user changed; so is a digest
        // refresh read from a Secret edited by hand (the engine then shows the old output against the input).
        property.setInputdiff(key in news && !outcome.observed?.includes(key));
        detailed.set(key, property);
    }
    response.setHasdetaileddiff(true);
    return response;
}

/** The service implementation for grpc-js. */
export function providerService(provider: ProviderImplementation): grpc.UntypedServiceImplementation {
    const handlerFor = (urn: string): ResourceHandler => {
        const type = typeOfUrn(urn);
        const handler = provider.handler(type);
        if (!handler) throw new Error(`the gcr-pull-secrets provider has no resource type ${type}`);
        return handler;
    };
    // Create, Read, Update and Delete requests carry the resource's customTimeouts (seconds, 0 for none).
    const answerWithin = <T>(call: Call, verb: string, callback: Callback, work: () => Promise<T>) =>
        answer(callback, () => provider.operation(call.request.getTimeout(), verb, call.request.getUrn(), work));
    return {
        getPluginInfo(_call: Call, callback: Callback) {
            const info = new plugproto.PluginInfo();
            info.setVersion(provider.version);
            callback(null, info);
        },
        getSchema(_call: Call, callback: Callback) {
            const response = new provproto.GetSchemaResponse();
            response.setSchema(provider.schema);
            callback(null, response);
        },
        attach(_call: Call, callback: Callback) {
            callback(null, new emptyproto.Empty());
        },
        cancel(_call: Call, callback: Callback) {
            provider.cancel();
            callback(null, new emptyproto.Empty());
        },
        invoke(call: Call, callback: Callback) {
            answer(callback, async () => {
                const request = call.request as provproto.InvokeRequest;
                const response = new provproto.InvokeResponse();
                response.setReturn(toStruct(await provider.invoke(request.getTok(), plain(request.getArgs()))));
                return response;
            });
        },
        construct(call: Call, callback: Callback) {
            answer(callback, () => provider.construct(call.request as provproto.ConstructRequest));
        },
        checkConfig(call: Call, callback: Callback) {
            answer(callback, () => {
                const news = plain(call.request.getNews());
                return checkResponse(news, provider.checkConfig(plain(call.request.getOlds()), news));
            });
        },
        diffConfig(call: Call, callback: Callback) {
            answer(callback, () => {
                const olds = plain(call.request.getOlds());
                const news = plain(call.request.getNews());
                return diffResponse(provider.diffConfig(olds, news), olds, news);
            });
        },
        configure(call: Call, callback: Callback) {
            answer(callback, () => {
                const request = call.request as provproto.ConfigureRequest;
                let args: Record<string, unknown>;
                if (request.hasArgs()) {
                    args = plain(request.getArgs());
                } else {
                    // Older engines send only the variables map, `<package>:config:<key>` -> text.
                    args = {};
                    request.getVariablesMap().forEach((value: string, key: string) => {
                        args[key.split(":").pop()!] = value;
                    });
                }
                provider.configure(args);
                const response = new provproto.ConfigureResponse();
                response.setAcceptsecrets(true);
                response.setSupportspreview(false);
                response.setAcceptresources(false);
                response.setAcceptoutputs(false);
                return response;
            });
        },
        check(call: Call, callback: Callback) {
            answer(callback, async () => {
                const news = plain(call.request.getNews());
                const urn = call.request.getUrn();
                const { inputs, failures } = await handlerFor(urn).check(plain(call.request.getOlds()), news, { urn });
                return checkResponse(inputs, failures);
            });
        },
        diff(call: Call, callback: Callback) {
            answer(callback, async () => {
                const request = call.request as provproto.DiffRequest;
                const olds = plain(request.getOlds());
                const news = plain(request.getNews());
                const oldInputs = request.hasOldInputs() ? plain(request.getOldInputs()) : undefined;
                const outcome = await handlerFor(request.getUrn()).diff(request.getId(), olds, news, oldInputs);
                return diffResponse(outcome, { ...oldInputs, ...olds }, news);
            });
        },
        create(call: Call, callback: Callback) {
            answerWithin(call, "creating", callback, async () => {
                const urn: string = call.request.getUrn();
                const { id, outs } = await handlerFor(urn).create(plain(call.request.getProperties()), { urn });
                const response = new provproto.CreateResponse();
                response.setId(id);
                response.setProperties(toStruct(outs));
                return response;
            });
        },
        read(call: Call, callback: Callback) {
            answerWithin(call, "reading", callback, async () => {
                const request = call.request as provproto.ReadRequest;
                const inputs = request.hasInputs() ? plain(request.getInputs()) : undefined;
                const urn = request.getUrn();
                const read = await handlerFor(urn).read(request.getId(), plain(request.getProperties()), inputs, { urn });
                const response = new provproto.ReadResponse();
                // No id tells the engine the resource is gone.
                response.setId(read.id ?? "");
                response.setProperties(toStruct(read.props));
                // Import: the inputs the engine records (and compares with the program's).
                if (read.inputs) response.setInputs(toStruct(read.inputs));
                return response;
            });
        },
        update(call: Call, callback: Callback) {
            answerWithin(call, "updating", callback, async () => {
                const request = call.request as provproto.UpdateRequest;
                const oldInputs = request.hasOldInputs() ? plain(request.getOldInputs()) : undefined;
                const urn = request.getUrn();
                const { outs } = await handlerFor(urn).update(request.getId(), plain(request.getOlds()), plain(request.getNews()), oldInputs, { urn });
                const response = new provproto.UpdateResponse();
                response.setProperties(toStruct(outs));
                return response;
            });
        },
        delete(call: Call, callback: Callback) {
            answerWithin(call, "deleting", callback, async () => {
                const urn: string = call.request.getUrn();
                const oldInputs = call.request.hasOldInputs() ? plain(call.request.getOldInputs()) : undefined;
                await handlerFor(urn).delete(call.request.getId(), plain(call.request.getProperties()), { urn }, oldInputs);
                return new emptyproto.Empty();
            });
        },
    };
}

/** Starts the server on a free loopback port and prints the port, as the engine expects of a plugin. */
export async function serve(provider: ProviderImplementation): Promise<void> {
    const server = new grpc.Server({ "grpc.max_receive_message_length": 1024 * 1024 * 400 });
    server.addService(provrpc.ResourceProviderService, providerService(provider));
    const port = await new Promise<number>((resolve, reject) => {
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound)));
    });
    process.stdout.write(`${port}\n`);
}
