/**
 * Messages from the provider to the user, through the engine's Log service (the address the engine
 * passes as the plugin's first argument). Without it, what the provider waits for would be silent:
 * the engine shows a plugin's stderr only at verbose log levels.
 */
import * as grpc from "@grpc/grpc-js";
import * as enginerpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as engineproto from "@pulumi/pulumi/proto/engine_pb";

/** Shows a warning in the CLI's output; never throws. */
export type WarningLogger = (message: string) => void;

/** A logger for the engine at `address`, or one that writes to stderr when there is none. */
export function engineWarnings(address: string | undefined): WarningLogger {
    if (!address) {
        return (message) => void process.stderr.write(`warning: ${message}\n`);
    }
    const client = new enginerpc.EngineClient(address, grpc.credentials.createInsecure());
    return (message) => {
        const request = new engineproto.LogRequest();
        request.setSeverity(engineproto.LogSeverity.WARNING);
        request.setMessage(message);
        client.log(request, () => undefined);
    };
}
