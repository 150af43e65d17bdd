import * as assert from "node:assert/strict";
import fc from "fast-check";
import { nameOfUrn, packageOfProviderType, parseProviderReference, parseUrn, projectStackOfUrn, stackOfUrn, typeOfUrn } from "../../../components/urn";

const componentType = "gcr-pull-secrets:index:GcrPullSecrets";
const secretType = "kubernetes:core/v1:Secret";

describe("URNs and provider references", () => {
    it("reads stack, project, type chain and name from a child resource URN", () => {
        const urn = `urn:pulumi:prod-eu::gcr-pull-secrets::${componentType}$${secretType}::pull-apps`;
        assert.deepEqual(parseUrn(urn), { stack: "prod-eu", project: "gcr-pull-secrets", typeChain: [componentType, secretType], name: "pull-apps" });
        assert.equal(typeOfUrn(urn), secretType);
        assert.equal(stackOfUrn(urn), "prod-eu");
        assert.equal(projectStackOfUrn(urn), "gcr-pull-secrets/prod-eu");
        assert.equal(nameOfUrn(urn), "pull-apps");
    });

    it("keeps a name that contains '::' whole", () => {
        assert.equal(parseUrn(`urn:pulumi:dev::p::${secretType}::a::b`)?.name, "a::b");
    });

    it("returns nothing for text that is not a Pulumi URN", () => {
        for (const text of ["arn:aws:s3:::bucket", "urn:pulumi:onlystack", ""]) {
            assert.equal(parseUrn(text), undefined, text);
            assert.equal(typeOfUrn(text), "", text);
            assert.equal(stackOfUrn(text), "", text);
            assert.equal(projectStackOfUrn(text), "", text);
            assert.equal(nameOfUrn(text), text, text);
        }
    });

    it("round-trips any stack, project, type chain and name (property)", () => {
        const segment = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/);
        const type = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}:[a-z0-9/]{1,10}:[A-Za-z][A-Za-z0-9]{0,15}$/);
        fc.assert(
            fc.property(segment, segment, fc.array(type, { minLength: 1, maxLength: 3 }), segment, (stack, project, typeChain, name) => {
                const urn = `urn:pulumi:${stack}::${project}::${typeChain.join("$")}::${name}`;
                assert.deepEqual(parseUrn(urn), { stack, project, typeChain, name });
                assert.equal(typeOfUrn(urn), typeChain[typeChain.length - 1]);
            }),
        );
    });

    it("splits a provider reference at its last '::' into URN and id, as the SDK does", () => {
        const urn = "urn:pulumi:dev::p::pulumi:providers:kubernetes::cluster";
        assert.deepEqual(parseProviderReference(`${urn}::2f8e1c4a-provider-id`), { urn, id: "2f8e1c4a-provider-id" });
        assert.equal(packageOfProviderType(typeOfUrn(urn)), "kubernetes");
        assert.equal(packageOfProviderType(secretType), "");
        assert.equal(packageOfProviderType("pulumi:providers"), "");
    });
});
