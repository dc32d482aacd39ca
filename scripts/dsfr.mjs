// Writes the part of the State design system (DSFR) the site serves, into public/dsfr/:
//
// - dsfr.css: the core and the components listed in style/dsfr-parts.txt, each with the parts its
//   README says it depends on, in the order it gives (the whole DSFR stylesheet is 728 KB, most
//   of it for components the pages do not use). Modern browsers' rules and print rules only: the
//   "legacy" files serve browsers without CSS variables, which the terms of use do not name.
//   Every font family is `var(--sesame-police)`, the system font stack unless marianne.css says
//   otherwise: Marianne is reserved to the State's sites.
// - marianne.css: Marianne's @font-face rules and the variable set to it, linked by State
//   deployments only.
// - <version>/fonts and <version>/icons: the files those stylesheets name, under the DSFR's
//   version so that they can be cached for a year.
//
// Usage: node scripts/dsfr.mjs <dsfr dist folder> <parts file> <output folder>
import fs from "node:fs";
import path from "node:path";

const [dist, partsFile, out] = process.argv.slice(2);
if (!dist || !partsFile || !out) {
  console.error("usage : node scripts/dsfr.mjs <dossier dist du DSFR> <liste des parties> <dossier de sortie>");
  process.exit(2);
}

const version = JSON.parse(fs.readFileSync(path.join(dist, "..", "package.json"), "utf8")).version;
const wanted = fs
  .readFileSync(partsFile, "utf8")
  .split("\n")
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith("#"));

// The folder of a part inside dist/ ("core" is at the top, components under component/).
const folder = (part) => (fs.existsSync(path.join(dist, part)) ? part : path.join("component", part));

// A part's README lists the stylesheets to link, dependencies first, the part itself last.
const linked = (part) => {
  const readme = fs.readFileSync(path.join(dist, folder(part), "README.md"), "utf8");
  const order = [...readme.matchAll(/href="css\/([a-z-]+)\/\1\.min\.css"/g)].map((match) => match[1]);
  if (!order.includes(part)) throw new Error(`DSFR ${version} : la partie « ${part} » n'a pas de feuille de style`);
  return order;
};

const parts = [];
for (const part of wanted) {
  for (const needed of linked(part)) if (!parts.includes(needed)) parts.push(needed);
}

const banner = /^\/\*![\s\S]*?\*\//;
const copied = new Set();
const fontFaces = [];

// Points each url() of a stylesheet read from `file` at the copy of its target under <version>/
// (copying it).
const rewrite = (css, file) =>
  css.replace(/url\(([^)]+)\)/g, (whole, target) => {
    const bare = target.replace(/^["']|["']$/g, "");
    if (bare.startsWith("data:")) return whole;
    const source = path.resolve(path.dirname(file), bare);
    const relative = path.relative(dist, source);
    if (relative.startsWith("..")) throw new Error(`${file} : ${bare} sort du DSFR`);
    if (!copied.has(relative)) {
      fs.mkdirSync(path.join(out, version, path.dirname(relative)), { recursive: true });
      fs.copyFileSync(source, path.join(out, version, relative));
      copied.add(relative);
    }
    return `url(${version}/${relative})`;
  });

// Reads one stylesheet of a part: its Marianne @font-face rules go aside (to marianne.css), the
// others (Spectral, for quotes the pages do not have) are dropped.
const read = (part, kind) => {
  const file = path.join(dist, folder(part), `${path.basename(part)}.${kind}.min.css`);
  if (!fs.existsSync(file)) return "";
  const css = fs.readFileSync(file, "utf8").replace(banner, "").replace(/@font-face\{[^}]*\}/g, (rule) => {
    if (/font-family:\s*["']?Marianne/.test(rule)) fontFaces.push(rewrite(rule, file));
    return "";
  });
  return rewrite(css, file);
};

fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });

const system = 'system-ui,-apple-system,"Segoe UI",Roboto,"Liberation Sans",Arial,sans-serif';
let css = `/*! DSFR v${version} (parties : ${parts.join(", ")}) | SPDX-License-Identifier: Etalab-2.0 | restricted use (see terms and conditions) */\n`;
css += `:root{--sesame-police:${system}}\n`;
for (const part of parts) css += read(part, "main") + read(part, "print");
css = css.replace(/font-family:\s*Marianne(\s*,\s*arial\s*,\s*sans-serif)?/g, "font-family:var(--sesame-police)");
if (/Marianne/.test(css.replace(/^\/\*![^*]*\*\//, ""))) throw new Error("une règle nomme encore Marianne hors de marianne.css");
fs.writeFileSync(path.join(out, "dsfr.css"), css);

let marianne = `/*! Marianne, police de l'État, réservée à ses sites (DSFR v${version}) */\n`;
marianne += fontFaces.join("") + ":root{--sesame-police:Marianne,arial,sans-serif}\n";
fs.writeFileSync(path.join(out, "marianne.css"), marianne);

fs.writeFileSync(path.join(out, "VERSION"), `${version}\n`);
console.log(
  `DSFR ${version} : ${parts.length} parties, dsfr.css ${css.length} octets, ` +
    `${fontFaces.length} fontes Marianne, ${copied.size} fichiers`,
);
