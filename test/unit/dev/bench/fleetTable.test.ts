import * as assert from "assert";
import { bUpSum, fleetHeader, fleetTable, FleetRow } from "../../../../dev/bench/fleetTable";

const row: FleetRow = {
    n: 300,
    clusters: 3,
    recipe: 120,
    bulk: 40,
    aUp: 36,
    aPreview: 9,
    aDestroy: 20,
    aPeakMiB: 812.4,
    bUps: [10, 10, 12],
    bUpWall: 18,
    bDestroyWall: 11,
};

describe("fleet benchmark table", () => {
    it("sums B's up times, the base of the issue's target", () => {
        assert.strictEqual(bUpSum(row), 32);
    });

    it("prints one row with the ratios to B's sum, the recipe loop and the bulk apply", () => {
        const lines = fleetTable([row]).split("\n");
        assert.strictEqual(lines.length, 4);
        const cells = lines[2]
            .split("|")
            .map((c) => c.trim())
            .slice(1, -1);
        assert.strictEqual(cells.length, lines[0].split("|").length - 2);
        assert.deepStrictEqual(cells, [
            "300",
            "3",
            "120.0 s",
            "40.0 s",
            "36.0 s",
            "18.0 s",
            "32.0 s",
            "1.13x",
            "0.30x",
            "0.90x",
            "9.0 s",
            "20.0 s",
            "11.0 s",
            "812 MiB",
        ]);
    });

    it("says whether A is within 1.2x of B's sum", () => {
        assert.match(fleetTable([row]), /N=300: A \/ B sum = 1\.13, within the 1\.2x target; B's ups 10\.0 s, 10\.0 s, 12\.0 s/);
        assert.match(fleetTable([{ ...row, aUp: 40 }]), /A \/ B sum = 1\.25, outside the 1\.2x target/);
    });

    it("prints n/a where memory was not measured", () => {
        assert.match(fleetTable([{ ...row, aPeakMiB: NaN }]), /\| n\/a \|$/m);
    });

    it("names cores, memory and the backend in the header", () => {
        assert.strictEqual(
            fleetHeader({ cores: 2, memoryBytes: 24 * 2 ** 30 }, 3),
            "gcr-pull-secrets (this checkout); 2 cores, 24 GiB; 3 local control planes on this machine; file backend",
        );
    });
});
