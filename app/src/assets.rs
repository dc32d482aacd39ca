//! The addresses of the stylesheets the page shell links. A release build fingerprints them
//! (`scripts/assets.mjs` puts a digest of each file's content in its name and lists the digests in
//! the site folder's `hash.txt`), so that browsers may keep them for a year: a new build has new
//! names. Without that list (a development build, the tests' site folders), the plain names.

/// The stylesheets of every page, in the order they are linked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stylesheets {
    /// The parts of the State design system the pages use (`scripts/dsfr.mjs`).
    pub design_system: String,
    /// Marianne's font faces, linked by State deployments only.
    pub marianne: String,
    /// France Sésame's own styles (`style/main.css`).
    pub own: String,
}

impl Default for Stylesheets {
    fn default() -> Self {
        Self {
            design_system: "/dsfr/dsfr.css".into(),
            marianne: "/dsfr/marianne.css".into(),
            own: "/pkg/sesame.css".into(),
        }
    }
}

impl Stylesheets {
    /// The addresses named by a `hash.txt` (lines `key: digest`, the format Leptos reads for the
    /// script and the WASM); a file it does not name keeps its plain name.
    pub fn fingerprinted(hashes: &str) -> Self {
        let digest = |key: &str| {
            hashes.lines().find_map(|line| {
                let (name, digest) = line.split_once(':')?;
                let digest = digest.trim();
                (name.trim() == key && !digest.is_empty()).then(|| digest.to_owned())
            })
        };
        let plain = Self::default();
        let named = |key: &str, folder: &str, stem: &str, fallback: String| match digest(key) {
            Some(digest) => format!("/{folder}/{stem}.{digest}.css"),
            None => fallback,
        };
        Self {
            design_system: named("dsfr", "dsfr", "dsfr", plain.design_system),
            marianne: named("marianne", "dsfr", "marianne", plain.marianne),
            own: named("css", "pkg", "sesame", plain.own),
        }
    }
}

/// Whether an address names a file that never changes under that name: a fingerprinted build
/// output (`name.<16 hex digits>.ext`) or a file of the design system under its version
/// (`/dsfr/1.15.3/…`). Those are cached for a year; any other file is revalidated.
pub fn is_immutable(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or_default();
    let fingerprinted = file
        .split('.')
        .any(|part| part.len() == 16 && part.bytes().all(|byte| byte.is_ascii_hexdigit()));
    let versioned = path
        .strip_prefix("/dsfr/")
        .and_then(|rest| rest.split_once('/'))
        .is_some_and(|(version, _)| {
            let parts: Vec<&str> = version.split('.').collect();
            parts.len() == 3
                && parts
                    .iter()
                    .all(|part| !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit()))
        });
    fingerprinted || versioned
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_build_list_names_the_fingerprinted_files_and_nothing_else() {
        let sheets = Stylesheets::fingerprinted(
            "js: 0123456789abcdef\nwasm: fedcba9876543210\ncss: 00112233445566aa\ndsfr: a1b2c3d4e5f60718\n",
        );
        assert_eq!(sheets.own, "/pkg/sesame.00112233445566aa.css");
        assert_eq!(sheets.design_system, "/dsfr/dsfr.a1b2c3d4e5f60718.css");
        assert_eq!(
            sheets.marianne, "/dsfr/marianne.css",
            "not listed: its plain name"
        );
        assert_eq!(Stylesheets::fingerprinted(""), Stylesheets::default());
    }

    #[test]
    fn only_fingerprinted_and_versioned_files_are_immutable() {
        assert!(is_immutable("/pkg/sesame.0123456789abcdef.wasm"));
        assert!(is_immutable("/dsfr/dsfr.a1b2c3d4e5f60718.css"));
        assert!(is_immutable("/dsfr/1.15.3/icons/system/fr--info-fill.svg"));
        assert!(!is_immutable("/pkg/sesame.wasm"));
        assert!(!is_immutable("/dsfr/dsfr.css"));
        assert!(!is_immutable("/favicon.svg"));
        assert!(!is_immutable("/dsfr/fonts/Marianne-Regular.woff2"));
        assert!(!is_immutable("/pkg/sesame.0123456789abcdeg.wasm"));
    }
}
