// Finding a service account key's secret material in text: state exports, CLI output, captures.
// Used by the end-to-end suite and dev/previews/capture-previews.sh, so both scan the same way.

/**
 * Where a key's secret material shows in `text`, if anywhere: its PEM body lines as they are, JSON-
 * escaped, or inside base64 (up to three levels deep). Returns a description, never the material.
 */
export function findKeyMaterial(text: string, keyJson: string): string | undefined {
    const pemLines: string[] = JSON.parse(keyJson)
        .private_key.split("\n")
        .filter((line: string) => line.length >= 40 && !line.startsWith("-----"));
    const needles = [pemLines[0], pemLines[Math.floor(pemLines.length / 2)], pemLines[pemLines.length - 2]];
    const search = (haystack: string, depth: number, where: string): string | undefined => {
        for (const needle of needles) {
            if (haystack.includes(needle)) return `a private key line ${where}`;
        }
        if (depth >= 3) return undefined;
        for (const blob of haystack.match(/[A-Za-z0-9+/]{40,}={0,2}/g) ?? []) {
            const found = search(Buffer.from(blob, "base64").toString("latin1"), depth + 1, `in base64 (depth ${depth + 1}) ${where}`);
            if (found) return found;
        }
        return undefined;
    };
    return search(text, 0, "in plain text");
}
