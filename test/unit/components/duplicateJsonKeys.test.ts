import * as assert from "node:assert/strict";
import fc from "fast-check";
import { checkStackConfig } from "../../../components/config";
import { duplicateJsonKeys } from "../../../components/duplicateJsonKeys";
import { stackValues, validCreateStack } from "../fixtures";

describe("members set twice in JSON text", () => {
    const cases: [string, string, (string | number)[][]][] = [
        ["none", '{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}', []],
        ["at the top", '{"a":1,"b":2,"a":3}', [["a"]]],
        ["inside an array's object", ' [ {"a":1} , {"b":{"c":1,"c":[2]}} ] ', [[1, "b", "c"]]],
        ["after nested values", '{"a":{"x":[1,{"y":2}]},"b":[],"a":{}}', [["a"]]],
        ["three times: twice reported", '{"a":1,"a":2,"a":3}', [["a"], ["a"]]],
        ["spelt with an escape", '{"a":1,"\\u0061":2}', [["a"]]],
        ["in strings that hold JSON punctuation", '{"x":"{\\"a\\":1,","a":"]:,","x":2}', [["x"]]],
        ["empty containers and scalars", '{"e":{},"f":[],"g":true,"h":null,"i":-1.5e3,"e":0}', [["e"]]],
        ["a scalar document", '"a"', []],
    ];
    for (const [title, text, expected] of cases) {
        it(`finds them ${title}`, () => {
            JSON.parse(text); // every case is valid JSON
            assert.deepEqual(duplicateJsonKeys(text), expected);
        });
    }

    it("finds none in anything JSON.stringify writes, and the repeated member when one is written twice (property)", () => {
        fc.assert(
            fc.property(
                fc.jsonValue(),
                fc.string().filter((name) => name !== "value"),
                fc.jsonValue(),
                (value, name, repeated) => {
                    const text = JSON.stringify(value);
                    assert.deepEqual(duplicateJsonKeys(text), []);
                    // The same member twice in an object that holds the value.
                    const member = `${JSON.stringify(name)}:${JSON.stringify(repeated)}`;
                    const doubled = `[{${member},"value":${text},${member}}]`;
                    assert.deepEqual(duplicateJsonKeys(doubled), [[0, name]]);
                },
            ),
        );
    });

    it("are refused in stack config, by path", () => {
        const values = stackValues({ ...validCreateStack });
        values["gcr-pull-secrets:serviceAccount"] = '{"accountId":"gke-puller-dev","accountId":"other-puller"}';
        const { problems } = checkStackConfig({ values, secretKeys: new Set() });
        assert.deepEqual(problems, [{ path: "gcr-pull-secrets:serviceAccount.accountId", message: "is set twice in this JSON text; keep one" }]);
    });
});
