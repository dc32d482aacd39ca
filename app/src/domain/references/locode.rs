//! Border control post codes and UN/LOCODE site codes: a post code is the
//! LOCODE of its place followed by one digit.

use serde::{Deserialize, Serialize};

use super::common::{
    check_chars, compact, display_canonical, expect_length, string_reference, Slot, ALNUM, DIGIT,
    LETTER,
};
use super::{ReferenceError, ReferenceKind};

/// Code of a border control post (BCP, « PCF » in French): UN/LOCODE of the
/// place followed by a digit that tells apart the posts of one place, for
/// example `FRCDG4`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PostCode(String);

string_reference!(PostCode);
display_canonical!(PostCode);

fn locode_slot(index: usize) -> Slot {
    if index < 2 {
        LETTER
    } else {
        ALNUM
    }
}

impl PostCode {
    pub fn parse(input: &str) -> Result<Self, ReferenceError> {
        let kind = ReferenceKind::Post;
        let s = compact(input);
        expect_length(
            kind,
            &s,
            6,
            "6 caractères (2 lettres du pays, 3 lettres ou chiffres du lieu et 1 chiffre, \
             par exemple FRCDG4)",
        )?;
        check_chars(kind, &s, 0, |i| if i == 5 { DIGIT } else { locode_slot(i) })?;
        Ok(Self(s))
    }

    /// Country code (2 letters).
    pub fn country(&self) -> &str {
        &self.0[..2]
    }

    /// The place of the post, for example `FRCDG` for `FRCDG4`.
    pub fn locode(&self) -> Locode {
        Locode(self.0[..5].to_owned())
    }
}

/// UN/LOCODE of a site: country (2 letters) and place (3 letters or digits),
/// for example `FRLEH`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Locode(String);

string_reference!(Locode);
display_canonical!(Locode);

impl Locode {
    pub fn parse(input: &str) -> Result<Self, ReferenceError> {
        let kind = ReferenceKind::Site;
        let s = compact(input);
        expect_length(
            kind,
            &s,
            5,
            "5 caractères (2 lettres du pays et 3 lettres ou chiffres du lieu, par exemple FRLEH)",
        )?;
        check_chars(kind, &s, 0, locode_slot)?;
        Ok(Self(s))
    }

    /// Country code (2 letters).
    pub fn country(&self) -> &str {
        &self.0[..2]
    }

    /// Code of the place (3 characters).
    pub fn location(&self) -> &str {
        &self.0[2..]
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{decorate, msg, noise};
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn post_and_site_codes() {
        let p = PostCode::parse("fr-cdg-4").unwrap();
        assert_eq!(p.as_str(), "FRCDG4");
        assert_eq!(p.country(), "FR");
        assert_eq!(p.locode().as_str(), "FRCDG");
        assert!(PostCode::parse("FRLEH1").is_ok());
        assert_eq!(
            msg(PostCode::parse("")),
            "Saisissez le code du poste de contrôle frontalier."
        );
        assert_eq!(
            msg(PostCode::parse("FRCDGX")),
            "Code du poste de contrôle frontalier : le 6e caractère doit être un chiffre, et non « X »."
        );
        assert_eq!(
            msg(PostCode::parse("FRCDG")),
            "Le code du poste de contrôle frontalier doit comporter 6 caractères (2 lettres du pays, 3 lettres ou chiffres du lieu et 1 chiffre, par exemple FRCDG4) ; 5 saisis."
        );
        let l = Locode::parse(" fr leh ").unwrap();
        assert_eq!(l.as_str(), "FRLEH");
        assert_eq!(l.country(), "FR");
        assert_eq!(l.location(), "LEH");
        assert_eq!(
            msg(Locode::parse("F1LEH")),
            "Code du site (UN/LOCODE) : le 2e caractère doit être une lettre (A à Z), et non « 1 »."
        );
        assert_eq!(
            msg(Locode::parse("FRLEHA")),
            "Le code du site (UN/LOCODE) doit comporter 5 caractères (2 lettres du pays et 3 lettres ou chiffres du lieu, par exemple FRLEH) ; 6 saisis."
        );
        assert_eq!(
            msg(Locode::parse("")),
            "Saisissez le code du site (UN/LOCODE)."
        );
    }

    proptest! {
        #[test]
        fn post_and_site_round_trip(code in "[A-Z]{2}[A-Z0-9]{3}[0-9]", noise in noise()) {
            let post = PostCode::parse(&decorate(&code, &noise)).unwrap();
            prop_assert_eq!(post.as_str(), code.as_str());
            let site = Locode::parse(&decorate(&code[..5], &noise)).unwrap();
            prop_assert_eq!(post.locode(), site);
        }
    }
}
