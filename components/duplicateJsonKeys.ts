/**
 * The paths of object members that appear twice in JSON text: `JSON.parse` keeps the last one
 * without a word, and a setting written twice (`{"name": "a", "name": "b"}`) is most likely a
 * mistake the user should hear about.
 */

/** JSON's tokens: strings (escapes included), punctuation, and the rest (numbers, true, false, null). */
const jsonToken = /"(?:[^"\\]|\\.)*"|[{}[\]:,]|[^\s{}[\]:,"]+/g;

/** An open object or array: where it is, and for an object the member names seen so far. */
interface Container {
    path: (string | number)[];
    names?: Set<string>;
    /** The member name or element index of the value being read. */
    at: string | number;
}

/**
 * The path of every member whose name its object already had, in the order met. Meant for text
 * that `JSON.parse` accepted: anything else gives no reliable answer.
 */
export function duplicateJsonKeys(text: string): (string | number)[][] {
    const found: (string | number)[][] = [];
    const open: Container[] = [];
    let nameNext = false;
    for (const [token] of text.matchAll(jsonToken)) {
        const current = open.at(-1);
        if (token === "{" || token === "[") {
            const path = current ? [...current.path, current.at] : [];
            open.push(token === "{" ? { path, names: new Set(), at: "" } : { path, at: 0 });
            nameNext = token === "{";
        } else if (token === "}" || token === "]") {
            open.pop();
            nameNext = false;
        } else if (token === "," && current) {
            if (current.names) nameNext = true;
            else current.at = (current.at as number) + 1;
        } else if (nameNext && current?.names) {
            const name = JSON.parse(token) as string;
            if (current.names.has(name)) found.push([...current.path, name]);
            current.names.add(name);
            current.at = name;
            nameNext = false;
        }
    }
    return found;
}
