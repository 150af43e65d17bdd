/**
 * `gcr-pull-secrets:index:StackIdentity`: the stack's random identity (components/stackIdentity.ts).
 * Its id is made once, at create, and lives only in the state: nothing in the cluster or elsewhere
 * is written, read or deleted, and no input change ever replaces it (it has none).
 */
import { randomUUID } from "crypto";
import { ResourceHandler } from "./resourceHandler";

/** The provider-side logic of the stack identity. */
export function stackIdentityHandler(): ResourceHandler {
    return {
        async check(_olds, news) {
            return { inputs: news, failures: [] };
        },
        async diff() {
            return { changes: false, replaces: [], diffs: [] };
        },
        async create() {
            return { id: randomUUID(), outs: {} };
        },
        // Only the state holds it: it exists while the state says so.
        async read(id, props) {
            return { id, props };
        },
        async update(_id, olds) {
            return { outs: olds };
        },
        async delete() {},
    };
}
