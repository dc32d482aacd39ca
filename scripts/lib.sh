# Shared by scripts/run and scripts/test: installs what is missing, skips what is present.
# Sourced, not executed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

CARGO_LEPTOS_VERSION="0.3.10"
export PATH="$HOME/.cargo/bin:$ROOT/node_modules/.bin:$PATH"
# A one-off build (CI, fresh clone) gains nothing from incremental caches but their disk space.
if [ "${CI:-}" = "true" ]; then export CARGO_INCREMENTAL=0; fi

say() { printf '\n\033[1;34m==> %s\033[0m\n' "$*"; }
warn() { printf '\n\033[1;33m!!! %s\033[0m\n' "$*" >&2; }
die() { printf '\n\033[1;31mxxx %s\033[0m\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi
}

# The version of the wasm-bindgen crate the project is locked to; the CLI must match it exactly.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock
}

ensure_rust_tools() {
  command -v cargo >/dev/null || die "Rust est requis (cargo introuvable) : installez-le avec rustup, puis relancez."
  command -v node >/dev/null && command -v npm >/dev/null || die "Node.js et npm sont requis : installez-les, puis relancez."
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "Ajout de la cible wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  fi
  if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    say "Installation de cargo-leptos $CARGO_LEPTOS_VERSION (une fois par machine, environ 15 minutes)"
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
  fi
  [ -f Cargo.lock ] || cargo generate-lockfile
  local wanted
  wanted="$(wasm_bindgen_version)"
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $wanted\$"; then
    say "Installation de wasm-bindgen-cli $wanted (identique à la bibliothèque wasm-bindgen)"
    # Without --locked: its lock file pins a crate the registry no longer serves.
    cargo install wasm-bindgen-cli --version "$wanted" --force
  fi
}

# npm packages (the DSFR, and wasm-opt for release builds) and the DSFR files the site serves.
ensure_node_packages() {
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "Installation des paquets npm (DSFR, wasm-opt)"
    npm ci
  fi
  # Only the parts of the design system the pages use, and Marianne apart (State deployments).
  local inputs
  inputs="$(cat node_modules/@gouvfr/dsfr/package.json style/dsfr-parts.txt scripts/dsfr.mjs | sha256sum | cut -c1-16)"
  if [ "$(cat public/dsfr/.inputs 2>/dev/null || true)" != "$inputs" ]; then
    say "Système de design de l'État (DSFR) : les parties utilisées, dans public/dsfr"
    node scripts/dsfr.mjs node_modules/@gouvfr/dsfr/dist style/dsfr-parts.txt public/dsfr
    echo "$inputs" > public/dsfr/.inputs
  fi
}

ensure_chromium() {
  if [ -x /usr/bin/chromium ]; then return; fi
  if as_root true 2>/dev/null && command -v apt-get >/dev/null; then
    say "Installation de Chromium (paquets Debian)"
    as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
  [ -x /usr/bin/chromium ] || die "Chromium (/usr/bin/chromium) est requis pour les tests de bout en bout et n'a pas pu être installé."
}

# Playwright, for the end-to-end tests and the first-load measure.
ensure_end2end_packages() {
  if [ ! -f end2end/node_modules/.package-lock.json ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    (cd end2end && npm ci)
  fi
}

# A fingerprint of everything the release build reads. cargo-leptos always regenerates the JS and
# WASM bindings (~20 s), so an unchanged tree skips it altogether.
build_inputs_fingerprint() {
  find app frontend server style public migrations scripts/assets.mjs Cargo.toml Cargo.lock package-lock.json -type f -print0 |
    sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1
}

build_release() {
  local stamp="target/site/.build-inputs" fingerprint
  fingerprint="$(build_inputs_fingerprint)"
  if [ -x target/release/server ] && [ "$(cat "$stamp" 2>/dev/null || true)" = "$fingerprint" ]; then
    say "Compilation : rien n'a changé depuis la dernière fois"
    return
  fi
  say "Compilation de la plateforme (cargo leptos build --release)"
  cargo leptos build --release
  # Fingerprinted names (cached for a year) and brotli/gzip copies (nothing compressed per request).
  node scripts/assets.mjs target/site
  # Recorded only when the inputs did not change while building (an edit during a long build, or
  # the build itself updating Cargo.lock): otherwise the next run builds again.
  if [ "$(build_inputs_fingerprint)" = "$fingerprint" ]; then
    echo "$fingerprint" > "$stamp"
  else
    rm -f "$stamp"
  fi
}
