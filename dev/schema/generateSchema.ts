/**
 * Writes provider/schema.json from the TypeScript declarations (dev/schema/packageSchema.ts).
 *   npm run generate:schema
 */
import * as fs from "fs";
import * as path from "path";
import { schemaText } from "./packageSchema";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const version: string = require("../../package.json").version;
const target = path.resolve(__dirname, "../..", "provider", "schema.json");
fs.writeFileSync(target, schemaText(version));
process.stdout.write(`wrote ${path.relative(process.cwd(), target)} (version ${version})\n`);
