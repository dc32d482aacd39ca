// After a release build: fingerprints the files every page loads and precompresses the site folder.
//
// - The script, the WASM and the stylesheets get a digest of their content in their name
//   (pkg/sesame.<digest>.wasm…), listed in <site>/hash.txt, which the server reads at start
//   (Leptos for the script and the WASM, the page shell for the stylesheets). A new build has new
//   names, so the server lets browsers keep them for a year.
// - Each text file (scripts, WASM, stylesheets, SVG) gets a brotli (.br) and a gzip (.gz) copy,
//   which the server hands to browsers that accept them: nothing is compressed per request.
//
// Usage: node scripts/assets.mjs <site folder>
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

const site = process.argv[2];
if (!site || !fs.existsSync(site)) {
  console.error("usage : node scripts/assets.mjs <dossier du site>");
  process.exit(2);
}

// key in hash.txt → file, as the build names it.
const fingerprinted = {
  js: "pkg/sesame.js",
  wasm: "pkg/sesame.wasm",
  css: "pkg/sesame.css",
  dsfr: "dsfr/dsfr.css",
  marianne: "dsfr/marianne.css",
};

const lines = [];
for (const [key, file] of Object.entries(fingerprinted)) {
  const source = path.join(site, file);
  if (!fs.existsSync(source)) {
    console.error(`${source} manque : la compilation n'a pas produit le site attendu`);
    process.exit(1);
  }
  const digest = createHash("sha256").update(fs.readFileSync(source)).digest("hex").slice(0, 16);
  const extension = path.extname(file);
  const named = path.join(site, `${file.slice(0, -extension.length)}.${digest}${extension}`);
  fs.renameSync(source, named);
  lines.push(`${key}: ${digest}`);
}
fs.writeFileSync(path.join(site, "hash.txt"), `${lines.join("\n")}\n`);

const compressible = new Set([".js", ".wasm", ".css", ".svg", ".json"]);
const walk = (folder) =>
  fs.readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(folder, entry.name);
    return entry.isDirectory() ? walk(full) : [full];
  });

let before = 0;
let after = 0;
for (const file of walk(site)) {
  if (!compressible.has(path.extname(file))) continue;
  const content = fs.readFileSync(file);
  if (content.length < 1024) continue;
  const brotli = zlib.brotliCompressSync(content, {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: content.length,
    },
  });
  const gzip = zlib.gzipSync(content, { level: zlib.constants.Z_BEST_COMPRESSION });
  if (brotli.length < content.length) fs.writeFileSync(`${file}.br`, brotli);
  if (gzip.length < content.length) fs.writeFileSync(`${file}.gz`, gzip);
  before += content.length;
  after += Math.min(brotli.length, content.length);
}
console.log(
  `Site : ${lines.length} fichiers à empreinte, ${Math.round(before / 1024)} Kio de texte, ` +
    `${Math.round(after / 1024)} Kio en brotli`,
);
