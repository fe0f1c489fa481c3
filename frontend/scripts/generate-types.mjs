/**
 * TypeScript types from the server's JSON schemas (written by `python -m chat.protocol_schema`).
 *
 *   node scripts/generate-types.mjs          # writes src/types/generated/*.ts
 *   node scripts/generate-types.mjs --check  # fails, naming the file, when a committed one is stale
 */
import { readFile, writeFile } from "node:fs/promises";
import { compile } from "json-schema-to-typescript";

const GENERATED = new URL("../src/types/generated/", import.meta.url);
const BANNER = "/* Generated from {schema} by `npm run types`: do not edit. */";

/** Each schema, the root type's name, and what the generated file imports. */
const TARGETS = [
  { schema: "strategy.schema.json", root: "Strategy", imports: [] },
  { schema: "frames.schema.json", root: "Protocol", imports: ['import type { Strategy } from "./strategy";'] },
  { schema: "diff.schema.json", root: "StrategyDiff", imports: [] },
];

/** The schema with tuples in the draft-07 form json-schema-to-typescript reads (2020-12's `prefixItems` it types as `unknown`). */
function withDraft07Tuples(text) {
  return JSON.parse(text, (_key, value) => {
    if (value === null || typeof value !== "object" || !("prefixItems" in value)) return value;
    const { prefixItems, ...rest } = value;
    return { ...rest, items: prefixItems, additionalItems: false };
  });
}

async function generate({ schema, root, imports }) {
  const parsed = withDraft07Tuples(await readFile(new URL(schema, GENERATED), "utf-8"));
  const banner = [BANNER.replace("{schema}", schema), ...imports].join("\n");
  const code = await compile(parsed, root, {
    bannerComment: banner,
    additionalProperties: false,
    strictIndexSignatures: true,
    maxItems: -1,
    style: { printWidth: 120 },
  });
  return { file: schema.replace(".schema.json", ".ts"), code };
}

const check = process.argv.includes("--check");
let stale = 0;
for (const target of TARGETS) {
  const { file, code } = await generate(target);
  const url = new URL(file, GENERATED);
  if (!check) {
    await writeFile(url, code);
    console.log(`wrote src/types/generated/${file}`);
    continue;
  }
  const committed = await readFile(url, "utf-8").catch(() => "");
  if (committed !== code) {
    console.error(`src/types/generated/${file} is stale: run \`npm run types\` and commit the result.`);
    stale += 1;
  }
}
process.exitCode = stale ? 1 : 0;
