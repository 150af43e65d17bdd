/** The refresher image: pinned by default, and any reference given instead checked as the kubelet would parse it. */
import * as assert from "assert";
import { defaultRefresherImage, imageReferenceProblem } from "../../../../components/validation/refresherImage";

describe("the refresher image", () => {
    it("the default is node:22-alpine pinned by a sha256 digest", () => {
        assert.match(defaultRefresherImage, /^node:22-alpine@sha256:[0-9a-f]{64}$/);
        assert.strictEqual(imageReferenceProblem(defaultRefresherImage), undefined);
    });

    it("accepts references a kubelet pulls: a tag, a digest, both, a registry host with a port, a mirror path", () => {
        for (const reference of [
            "node:22-alpine",
            "node@sha256:" + "0".repeat(64),
            "docker.io/library/node:22.11.0-alpine3.20",
            "mirror.example.com:5000/library/node:22@sha256:" + "a".repeat(64),
            "europe-west1-docker.pkg.dev/acme/mirror/node:22-alpine",
            "localhost/node",
            "[::1]:5000/node:22",
        ]) {
            assert.strictEqual(imageReferenceProblem(reference), undefined, reference);
        }
    });

    it("says what is wrong with the rest", () => {
        const cases: [string, RegExp][] = [
            ["", /not NAME\[:TAG\]\[@sha256:DIGEST\]/],
            ["node 22", /contains a space/],
            ["Node:22", /repository has capital letters/],
            ["node@sha256:abc", /what follows @ is not a digest/],
            ["node:22-alpine@sha256:" + "a".repeat(63), /exactly 64 hexadecimal digits/],
            ["node::22", /not NAME\[:TAG\]/],
            ["node:" + "t".repeat(129), /not NAME\[:TAG\]/],
            ["https://registry/node", /not NAME\[:TAG\]/],
        ];
        for (const [reference, problem] of cases) assert.match(imageReferenceProblem(reference) ?? "accepted", problem, reference);
    });
});
