import * as assert from "assert";
import { namespaceStatus, pullAccessWarnings } from "../../../components/pullAccess";

describe("pull access results", () => {
    it("a namespace has the worst status of its ServiceAccounts: stripped, then denied, then skipped", () => {
        assert.strictEqual(namespaceStatus([{ status: "verified" }, { status: "verified" }]), "verified");
        assert.strictEqual(namespaceStatus([{ status: "verified" }, { status: "skipped" }]), "skipped");
        assert.strictEqual(namespaceStatus([{ status: "skipped" }, { status: "denied" }]), "denied");
        assert.strictEqual(namespaceStatus([{ status: "denied" }, { status: "stripped" }, { status: "verified" }]), "stripped");
        assert.strictEqual(namespaceStatus([]), "skipped");
    });

    it("one warning per problem, naming the namespace, the ServiceAccount or repository, and what happened", () => {
        const warnings = pullAccessWarnings({
            "team-a": {
                status: "verified",
                serviceAccounts: { default: { status: "verified" } },
                repositories: { "asia.gcr.io/acme/app": { access: "allowed" } },
            },
            "team-b": {
                status: "stripped",
                serviceAccounts: {
                    default: { status: "stripped", detail: "admitted without regcred: something in admission removed it (the ServiceAccount lists it)" },
                },
                repositories: { "asia.gcr.io/acme/other": { access: "denied", detail: "HTTP 403: DENIED" } },
            },
        });
        assert.deepStrictEqual(warnings, [
            "pull access in namespace team-b, ServiceAccount default: stripped: admitted without regcred: something in admission removed it (the ServiceAccount lists it)",
            "pull access in namespace team-b to asia.gcr.io/acme/other: denied: HTTP 403: DENIED",
        ]);
    });
});
