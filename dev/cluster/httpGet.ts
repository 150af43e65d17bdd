import * as http from "node:http";
import * as https from "node:https";

/** An HTTP(S) response: its status and body. */
export interface HttpResult {
    status: number;
    body: string;
}

/** GET with a 2 s timeout, for readiness polls (TLS options for the apiserver). */
export function httpGet(url: string, tls?: https.RequestOptions): Promise<HttpResult> {
    return new Promise((resolve, reject) => {
        const get = url.startsWith("https:") ? https.get : http.get;
        const request = get(url, { ...tls, timeout: 2_000 }, (response) => {
            let body = "";
            response.setEncoding("utf8");
            response.on("data", (chunk: string) => (body += chunk));
            response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
            response.on("error", reject);
        });
        request.on("timeout", () => request.destroy(new Error(`GET ${url} timed out`)));
        request.on("error", reject);
    });
}
