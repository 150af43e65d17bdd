/** When `pulumi preview` and `pulumi refresh` warn about a keyless Secret, and what the warning says. */
import * as assert from "assert";
import { keyless as names } from "../../../components/contract";
import { keylessHealthWarner, keylessHealthWarning, spanText } from "../../../provider/keylessHealth";

const now = Date.parse("2026-12-05T12:00:00.000Z");
const minutes = (n: number) => new Date(now + n * 60_000).toISOString();

function status(annotations: Record<string, string | undefined>) {
    return { namespace: "team-a", name: "regcred", annotations };
}

describe("keyless health: the warning decision", () => {
    it("a fresh token and no failure: no warning", () => {
        assert.strictEqual(keylessHealthWarning(status({ [names.expiresAnnotation]: minutes(40), [names.refreshedAnnotation]: minutes(-20) }), now), undefined);
    });

    it("a Secret the refresher has not written yet: no warning (the first run is awaited, or skipped on purpose)", () => {
        assert.strictEqual(keylessHealthWarning(status({}), now), undefined);
    });

    it("an expired token: a warning naming the namespace, when it expired and what it means", () => {
        const warning = keylessHealthWarning(status({ [names.expiresAnnotation]: minutes(-75), [names.refreshedAnnotation]: minutes(-135) }), now);
        assert.strictEqual(
            warning,
            "keyless pull Secret team-a/regcred in namespace team-a: its token expired at 2026-12-05T10:45:00.000Z (1h 15m ago): " +
                'pods that start in namespace team-a cannot pull images. See "When a refresh fails" in docs/keyless.md (the refresher\'s Jobs, logs and Events).',
        );
    });

    it("a failure after the last refresh: a warning with the refresher's reason, even before the token expires", () => {
        const warning = keylessHealthWarning(
            status({
                [names.expiresAnnotation]: minutes(25),
                [names.refreshedAnnotation]: minutes(-35),
                [names.failedAtAnnotation]: minutes(-5),
                [names.failureAnnotation]: "Google STS refused the token exchange (HTTP 400: invalid_grant: provider disabled)",
            }),
            now,
        );
        assert.match(
            warning ?? "",
            /^keyless pull Secret team-a\/regcred in namespace team-a: its token expires at 2026-12-05T12:25:00\.000Z \(in 25m\) and is not being refreshed; /,
        );
        assert.match(
            warning ?? "",
            /the refresher's last run failed at 2026-12-05T11:55:00\.000Z: Google STS refused the token exchange \(HTTP 400: invalid_grant: provider disabled\)\./,
        );
    });

    it("a failure before the last good refresh is history: no warning", () => {
        const annotations = { [names.expiresAnnotation]: minutes(55), [names.refreshedAnnotation]: minutes(-5), [names.failedAtAnnotation]: minutes(-35) };
        assert.strictEqual(keylessHealthWarning(status(annotations), now), undefined);
    });

    it("unreadable times are ignored rather than guessed at; a failure without a reason still warns", () => {
        assert.strictEqual(keylessHealthWarning(status({ [names.expiresAnnotation]: "yesterday" }), now), undefined);
        assert.match(
            keylessHealthWarning(status({ [names.failedAtAnnotation]: minutes(-1) }), now) ?? "",
            /it has no token yet; .*failed at .*: no reason recorded/,
        );
    });

    it("a long reason is cut, so a warning stays a line", () => {
        const warning = keylessHealthWarning(status({ [names.failedAtAnnotation]: minutes(-1), [names.failureAnnotation]: "x".repeat(5000) }), now);
        assert.ok((warning ?? "").length < 800);
    });

    it("spans read as hours and minutes", () => {
        assert.deepStrictEqual([spanText(40_000), spanText(12 * 60_000), spanText(-(3 * 60 + 5) * 60_000)], ["40s", "12m", "3h 5m"]);
    });

    it("one warning per Secret and message in a provider process (Diff and Read both see it in preview --refresh)", () => {
        const warnings: string[] = [];
        const warnIfUnhealthy = keylessHealthWarner(
            (message) => warnings.push(message),
            () => now,
        );
        const expired = { metadata: { namespace: "team-b", name: "regcred", annotations: { [names.expiresAnnotation]: minutes(-10) } } };
        warnIfUnhealthy(expired);
        warnIfUnhealthy(expired);
        warnIfUnhealthy({ metadata: { namespace: "team-c", name: "regcred", annotations: { [names.expiresAnnotation]: minutes(10) } } });
        warnIfUnhealthy(undefined);
        assert.deepStrictEqual(warnings.length, 1);
        assert.match(warnings[0], /team-b\/regcred in namespace team-b: its token expired/);
    });
});
