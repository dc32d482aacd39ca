//! The rules of an account: what an address and a password must be, in French when they are not.

/// Fewer characters than this is refused, as the State's security guidelines (ANSSI) advise for
/// a password that is the only factor.
pub const PASSWORD_MIN_CHARS: usize = 12;
/// More than this is refused too: hashing has a cost.
pub const PASSWORD_MAX_CHARS: usize = 128;

/// Passwords people pick most often (and their variants of at least 12 characters), in lower
/// case, one a line. A password is refused when it, or it without the digits and signs people add
/// at the end, is in the list.
const COMMON_PASSWORDS: &str = include_str!("common-passwords.txt");

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("Le mot de passe doit contenir au moins {PASSWORD_MIN_CHARS} caractères (il en contient {0}).")]
    TooShort(usize),
    #[error("Le mot de passe ne doit pas dépasser {PASSWORD_MAX_CHARS} caractères.")]
    TooLong,
    #[error("Ce mot de passe fait partie des mots de passe les plus courants : choisissez-en un autre, par exemple une phrase de plusieurs mots.")]
    Common,
    #[error("Le mot de passe ne doit pas reprendre votre adresse électronique.")]
    ContainsEmail,
}

/// Checks a new password for the account with address `email`.
pub fn check_password(password: &str, email: &str) -> Result<(), PasswordError> {
    let length = password.chars().count();
    if length < PASSWORD_MIN_CHARS {
        return Err(PasswordError::TooShort(length));
    }
    if length > PASSWORD_MAX_CHARS {
        return Err(PasswordError::TooLong);
    }
    let lower = password.to_lowercase();
    let local_part = email.split('@').next().unwrap_or_default().to_lowercase();
    if local_part.chars().count() >= 4 && lower.contains(&local_part) {
        return Err(PasswordError::ContainsEmail);
    }
    if is_common(&lower) {
        return Err(PasswordError::Common);
    }
    Ok(())
}

fn is_common(lower: &str) -> bool {
    let base = lower.trim_end_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation());
    let base = base.trim_start_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation());
    let mut distinct: Vec<char> = lower.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    // One character repeated, or two alternating ("abababab…"): not a password.
    if distinct.len() <= 2 {
        return true;
    }
    // Only a run of consecutive characters ("123456789012", "abcdefghijkl").
    let codes: Vec<u32> = lower.chars().map(u32::from).collect();
    if codes
        .windows(2)
        .all(|pair| pair[1] == pair[0] + 1 || pair[0] == pair[1] + 1)
    {
        return true;
    }
    COMMON_PASSWORDS
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .any(|common| common == lower || (base.len() >= 4 && common == base))
}

/// Checks and normalises an email address: trimmed, in lower case, one `@`, a domain with a dot,
/// no spaces. Returns the French message saying what is wrong.
pub fn parse_email(text: &str) -> Result<String, String> {
    let email = text.trim().to_lowercase();
    if email.is_empty() {
        return Err("Saisissez votre adresse électronique.".into());
    }
    if email.chars().count() > 254 {
        return Err("L'adresse électronique est trop longue (254 caractères au plus).".into());
    }
    let Some((local, domain)) = email.split_once('@') else {
        return Err(format!(
            "« {email} » n'est pas une adresse électronique : il manque le signe @ (exemple : nom@entreprise.fr)."
        ));
    };
    if local.is_empty() || domain.contains('@') {
        return Err(format!(
            "« {email} » n'est pas une adresse électronique valide (exemple : nom@entreprise.fr)."
        ));
    }
    if email
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | ',' | ';'))
    {
        return Err(format!(
            "« {email} » contient un caractère interdit dans une adresse électronique (espace, virgule, guillemets…)."
        ));
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2
        || labels
            .iter()
            .any(|label| label.is_empty() || label.starts_with('-') || label.ends_with('-'))
    {
        return Err(format!(
            "« {email} » : le domaine après @ doit ressembler à « entreprise.fr »."
        ));
    }
    Ok(email)
}

/// A person's name as they write it: 2 to 100 characters, no control characters.
pub fn parse_full_name(text: &str) -> Result<String, String> {
    let name = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let length = name.chars().count();
    if length < 2 {
        return Err("Saisissez le prénom et le nom (2 caractères au moins).".into());
    }
    if length > 100 {
        return Err("Le nom ne doit pas dépasser 100 caractères.".into());
    }
    // The name is written into mails the platform signs (an invitation names its invitee): it
    // must read as a name, not carry a message, an address or a link. Letters, with the spaces,
    // hyphens, apostrophes and dots of names ("J.-P. d’Arcy"), and nothing else (accents typed
    // as combining marks included).
    let allowed = |c: char| {
        c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '’' | '.' | '\u{300}'..='\u{36f}')
    };
    if name.chars().any(|c| !allowed(c)) || !name.chars().any(char::is_alphabetic) {
        return Err(
            "Le nom ne peut contenir que des lettres, des espaces, des traits d'union, des apostrophes et des points.".into(),
        );
    }
    // A dot followed by two letters is a domain ("arnaque.fr"), never an initial.
    let chars: Vec<char> = name.chars().collect();
    if chars
        .windows(3)
        .any(|w| w[0] == '.' && w[1].is_alphabetic() && w[2].is_alphabetic())
    {
        return Err("Le nom ne peut pas contenir d'adresse de site.".into());
    }
    Ok(name)
}

/// An invitation to join a company that its invitee has not accepted yet, as the company's
/// administrator sees it. It is no account: it reserves nothing.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PendingInvitation {
    pub id: i64,
    pub email: String,
    pub full_name: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    /// Whether its link has expired (said by the server: the browser's clock is not trusted).
    pub expired: bool,
}

/// An open session, as the personal space lists it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SessionInfo {
    pub id: i64,
    pub user_id: i64,
    /// `mot_de_passe`, `lien` (a single-use link sent by mail) or `oidc:<provider>`.
    pub method: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_seen_at: chrono::DateTime<chrono::Utc>,
    pub ip: String,
    pub user_agent: String,
}

impl SessionInfo {
    /// How the session was opened, in French.
    pub fn method_label(&self) -> String {
        match self.method.strip_prefix("oidc:") {
            Some(provider) => format!("Fournisseur d'identité « {provider} »"),
            None if self.method == "lien" => "Lien de connexion reçu par courriel".to_owned(),
            None => "Mot de passe".to_owned(),
        }
    }

    /// The browser, roughly, from its user agent.
    pub fn browser_label(&self) -> &'static str {
        browser_label(&self.user_agent)
    }
}

/// A browser, roughly, from its user agent.
pub fn browser_label(agent: &str) -> &'static str {
    if agent.contains("Edg/") {
        "Edge"
    } else if agent.contains("Firefox/") {
        "Firefox"
    } else if agent.contains("Chrome/") || agent.contains("Chromium/") {
        "Chrome ou Chromium"
    } else if agent.contains("Safari/") {
        "Safari"
    } else {
        "Navigateur non identifié"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_follow_the_rules() {
        let email = "claire.martin@example.fr";
        assert_eq!(
            check_password("court", email),
            Err(PasswordError::TooShort(5))
        );
        assert_eq!(
            check_password(&"x".repeat(129), email),
            Err(PasswordError::TooLong)
        );
        assert_eq!(
            check_password("motdepasse123", email),
            Err(PasswordError::Common)
        );
        assert_eq!(
            check_password("Azertyuiop2024!", email),
            Err(PasswordError::Common)
        );
        assert_eq!(
            check_password("123456789012", email),
            Err(PasswordError::Common)
        );
        assert_eq!(
            check_password("aaaaaaaaaaaaaa", email),
            Err(PasswordError::Common)
        );
        assert_eq!(
            check_password("Password12345", email),
            Err(PasswordError::Common)
        );
        assert_eq!(
            check_password("claire.martin-2026", email),
            Err(PasswordError::ContainsEmail)
        );
        assert_eq!(check_password("cheval agrafe batterie", email), Ok(()));
        assert_eq!(check_password("sesame-demo-2026", email), Ok(()));
        // Twelve characters, accents count as one each.
        assert_eq!(check_password("éléphantrosé", email), Ok(()));
        assert!(PasswordError::TooShort(3)
            .to_string()
            .contains("12 caractères"));
    }

    #[test]
    fn addresses_are_checked_and_normalised() {
        assert_eq!(
            parse_email("  Claire.Martin@Example.FR "),
            Ok("claire.martin@example.fr".into())
        );
        assert!(parse_email("").unwrap_err().contains("Saisissez"));
        assert!(parse_email("claire.example.fr").unwrap_err().contains("@"));
        assert!(parse_email("claire@example")
            .unwrap_err()
            .contains("domaine"));
        assert!(parse_email("claire martin@example.fr")
            .unwrap_err()
            .contains("interdit"));
        assert!(parse_email("@example.fr").is_err());
        assert!(parse_email("a@b@example.fr").is_err());
    }

    #[test]
    fn names_are_tidied() {
        assert_eq!(
            parse_full_name("  Claire   Martin "),
            Ok("Claire Martin".into())
        );
        assert!(parse_full_name("C").is_err());
        for name in [
            "Jean-Pierre O'Neil",
            "J.-P. d’Arcy",
            "Anne-Sophie Lefèvre",
            "Zoë Ørsted",
            "Cle\u{301}ment Roy",
        ] {
            assert_eq!(parse_full_name(name).as_deref(), Ok(name));
        }
        for name in [
            "Jean\u{7}Dupont",
            "Jean\u{202e}Dupont",
            "https://arnaque.example",
            "Voir www.arnaque.example",
            "arnaque.fr",
            "contact@arnaque.example",
            "<b>Jean</b>",
            "Appelez le 0899000000",
            "...",
        ] {
            assert!(parse_full_name(name).is_err(), "{name}");
        }
    }
}

/// The cookie that carries, for a few minutes, the address a person typed into a sign-in form
/// that was refused: the form comes back filled in, and the address stays out of the page's URL
/// (which browser history, server logs and referrers keep).
pub const TYPED_ADDRESS_COOKIE: &str = "sesame_adresse_saisie";

/// What a person typed, as a cookie value (hexadecimal: any character survives).
pub fn encode_typed(text: &str) -> String {
    super::hex(text.chars().take(254).collect::<String>().as_bytes())
}

/// The text [`encode_typed`] gave, or `None` for a value it did not give.
pub fn decode_typed(value: &str) -> Option<String> {
    if !value.len().is_multiple_of(2) || value.len() > 254 * 8 {
        return None;
    }
    let bytes = (0..value.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(value.get(at..at + 2)?, 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod typed_tests {
    use super::*;

    #[test]
    fn a_typed_address_survives_its_cookie() {
        for text in ["claire@example.fr", "pas une adresse ; «é»", ""] {
            assert_eq!(decode_typed(&encode_typed(text)).as_deref(), Some(text));
        }
        assert_eq!(decode_typed("zz"), None);
        assert_eq!(decode_typed("abc"), None);
    }
}

/// Where an account stands: a suspended account cannot sign in and receives nothing until it is
/// reactivated, its data kept; a closed one is ended for good.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum AccountState {
    Active,
    Suspended,
    Closed,
}

impl AccountState {
    pub fn label(self) -> &'static str {
        match self {
            AccountState::Active => "Actif",
            AccountState::Suspended => "Suspendu",
            AccountState::Closed => "Clos",
        }
    }
}

/// What a technical administrator, or a head of service for the people of their sites, decides
/// about an account, always with a reason (the terms of use allow it for false, inaccurate or
/// incomplete information).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum AccountDecision {
    Suspension,
    Reactivation,
    Closing,
}

impl AccountDecision {
    pub const ALL: [AccountDecision; 3] = [
        AccountDecision::Suspension,
        AccountDecision::Reactivation,
        AccountDecision::Closing,
    ];

    /// As stored, and in the forms' addresses.
    pub fn code(self) -> &'static str {
        match self {
            AccountDecision::Suspension => "suspension",
            AccountDecision::Reactivation => "reactivation",
            AccountDecision::Closing => "cloture",
        }
    }

    pub fn from_code(code: &str) -> Option<AccountDecision> {
        Self::ALL
            .into_iter()
            .find(|decision| decision.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            AccountDecision::Suspension => "Suspension",
            AccountDecision::Reactivation => "Réactivation",
            AccountDecision::Closing => "Clôture",
        }
    }

    /// The audit trail's action.
    pub fn action(self) -> &'static str {
        match self {
            AccountDecision::Suspension => "compte_suspendu",
            AccountDecision::Reactivation => "compte_reactive",
            AccountDecision::Closing => "compte_clos",
        }
    }

    /// The state it applies to.
    pub fn applies_to(self, state: AccountState) -> bool {
        match self {
            AccountDecision::Suspension => state == AccountState::Active,
            AccountDecision::Reactivation => state == AccountState::Suspended,
            AccountDecision::Closing => state != AccountState::Closed,
        }
    }

    /// Whether it ends the account's access (its sessions, its streams, its appointments).
    pub fn ends_access(self) -> bool {
        self != AccountDecision::Reactivation
    }
}

/// The fewest and most characters of a decision's reason.
pub const REASON_CHARS: (usize, usize) = (10, 500);

/// Said of a text holding control characters.
pub const INVISIBLE: &str = "Le texte contient des caractères invisibles non admis : recopiez-le depuis un éditeur de texte simple.";

/// A decision's reason, said to the account's holder and kept with the decision.
pub fn parse_reason(text: &str) -> Result<String, String> {
    let reason = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let (min, max) = REASON_CHARS;
    match reason.chars().count() {
        0 => Err("Indiquez le motif de la décision : il est communiqué au titulaire du compte.".into()),
        n if n < min => Err(format!(
            "Le motif est trop court ({n} caractères) : expliquez la décision en {min} caractères au moins."
        )),
        n if n > max => Err(format!(
            "Le motif compte {n} caractères : {max} au plus."
        )),
        _ if crate::domain::has_control_characters(&reason) => Err(INVISIBLE.into()),
        _ => Ok(reason),
    }
}

/// The most accounts a search lists: narrow it to see others.
pub const ACCOUNTS_SHOWN: usize = 100;

/// An account as the technical administration lists it: names and addresses, never the data
/// the account sees.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AccountLine {
    pub id: i64,
    pub full_name: String,
    pub email: String,
    pub role: super::directory::Role,
    /// An operator's company, by name.
    pub company: Option<String>,
    /// The administration of an agent, a head of service or a supervisor.
    pub administration: Option<super::directory::Administration>,
    /// The posts a head of service heads, by code.
    pub posts: Vec<String>,
    pub state: AccountState,
}

impl AccountLine {
    /// What the account is attached to, in words: its company, or its administration (and a
    /// head's posts), the DGITM's ministry, or the platform for a technical administrator.
    pub fn belongs(&self) -> String {
        use super::directory::Role;
        match (self.role, &self.company, self.administration) {
            (_, Some(company), _) => company.clone(),
            (Role::ChefService, None, Some(administration)) if !self.posts.is_empty() => {
                format!(
                    "{} — postes {}",
                    administration.label(),
                    self.posts.join(", ")
                )
            }
            (_, None, Some(administration)) => administration.label().to_owned(),
            (Role::Dgitm, None, None) => "Ministère chargé des transports (DGITM)".to_owned(),
            _ => "Plateforme France Sésame".to_owned(),
        }
    }
}

/// One decision about an account.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DecisionLine {
    pub decision: AccountDecision,
    pub reason: String,
    /// Who decided, by name (« ligne de commande » when nobody signed in).
    pub by: String,
    pub at: chrono::DateTime<chrono::Utc>,
}

/// The company an identity provider asserts (its SIRET, else an EORI made of FR and the
/// SIRET), checked: the SIRET and the EORI to open or join it, or why it cannot be (in French,
/// for the audit trail).
pub fn asserted_company(
    siret: Option<&str>,
    eori: Option<&str>,
) -> Result<(super::references::Siret, Option<super::references::Eori>), String> {
    use super::references::{Eori, Siret};
    let eori = eori
        .map(Eori::parse)
        .transpose()
        .map_err(|error| format!("EORI attesté illisible : {error}"))?;
    let siret = match siret {
        Some(siret) => {
            Siret::parse(siret).map_err(|error| format!("SIRET attesté illisible : {error}"))?
        }
        None => match eori
            .as_ref()
            .and_then(|eori| eori.as_str().strip_prefix("FR"))
        {
            Some(digits) if digits.len() == 14 => {
                Siret::parse(digits).map_err(|error| format!("EORI attesté illisible : {error}"))?
            }
            Some(_) => {
                return Err(
                    "EORI attesté sans SIRET (FR suivi du SIREN) : établissement inconnu".into(),
                )
            }
            None => return Err("aucune entreprise attestée (ni SIRET ni EORI)".into()),
        },
    };
    Ok((siret, eori))
}

/// A person's name as a provider gives it, or made from their address (`alice.martin@…` gives
/// « Alice Martin ») when it is not a name.
pub fn name_from_provider(name: Option<&str>, email: &str) -> String {
    if let Some(name) = name.and_then(|name| parse_full_name(name).ok()) {
        return name;
    }
    let local = email.split('@').next().unwrap_or_default();
    let words: Vec<String> = local
        .split(['.', '_', '-'])
        .filter(|word| !word.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        })
        .collect();
    parse_full_name(&words.join(" ")).unwrap_or_else(|_| "Opérateur".to_owned())
}

#[cfg(test)]
mod decision_tests {
    use super::*;

    #[test]
    fn an_account_says_what_it_is_attached_to() {
        use crate::domain::directory::{Administration, Role};
        let line = |role, company: Option<&str>, administration, posts: &[&str]| AccountLine {
            id: 1,
            full_name: "Léa Moreau".into(),
            email: "lea@example.fr".into(),
            role,
            company: company.map(str::to_owned),
            administration,
            posts: posts.iter().map(|post| (*post).to_owned()).collect(),
            state: AccountState::Active,
        };
        assert_eq!(
            line(Role::Operateur, Some("Port Sud"), None, &[]).belongs(),
            "Port Sud"
        );
        assert_eq!(
            line(
                Role::ChefService,
                None,
                Some(Administration::Dgal),
                &["FRLEH1", "FRFOS1"]
            )
            .belongs(),
            format!("{} — postes FRLEH1, FRFOS1", Administration::Dgal.label())
        );
        assert_eq!(
            line(Role::AgentDgddi, None, Some(Administration::Dgddi), &[]).belongs(),
            Administration::Dgddi.label()
        );
        assert_eq!(
            line(Role::Dgitm, None, None, &[]).belongs(),
            "Ministère chargé des transports (DGITM)"
        );
        assert_eq!(
            line(Role::Administrateur, None, None, &[]).belongs(),
            "Plateforme France Sésame"
        );
    }

    #[test]
    fn a_decision_needs_a_reason_of_10_to_500_characters() {
        assert!(parse_reason("")
            .unwrap_err()
            .starts_with("Indiquez le motif de la décision"));
        assert!(parse_reason("   \n\t ")
            .unwrap_err()
            .starts_with("Indiquez le motif de la décision"));
        let short = parse_reason("Doublon !").unwrap_err();
        assert!(short.contains("trop court (9 caractères)"), "{short}");
        assert!(short.contains("10 caractères au moins"), "{short}");
        let long = parse_reason(&"é".repeat(501)).unwrap_err();
        assert_eq!(long, "Le motif compte 501 caractères : 500 au plus.");
        assert_eq!(
            parse_reason("  Informations   inexactes\n sur\tl'entreprise  ").as_deref(),
            Ok("Informations inexactes sur l'entreprise")
        );
        assert_eq!(parse_reason("0123456789").as_deref(), Ok("0123456789"));
        let longest = "é".repeat(500);
        assert_eq!(parse_reason(&longest), Ok(longest));
        // Spaces collapsed before counting: 9 letters and a run of spaces are still too short.
        assert!(parse_reason("abcd     efgh")
            .unwrap_err()
            .contains("trop court"));
    }

    #[test]
    fn the_asserted_company_is_read_from_its_siret_or_its_eori() {
        let (siret, eori) = asserted_company(Some("73282932000074"), None).unwrap();
        assert_eq!(siret.as_str(), "73282932000074");
        assert_eq!(eori, None);

        let (siret, eori) = asserted_company(None, Some("FR73282932000074")).unwrap();
        assert_eq!(siret.as_str(), "73282932000074");
        assert_eq!(eori.unwrap().as_str(), "FR73282932000074");

        let (siret, eori) = asserted_company(Some("35600000000048"), Some("FR732829320")).unwrap();
        assert_eq!(siret.as_str(), "35600000000048");
        assert_eq!(eori.unwrap().as_str(), "FR732829320");

        let siren_only = asserted_company(None, Some("FR732829320")).unwrap_err();
        assert!(siren_only.contains("SIREN"), "{siren_only}");
        assert!(siren_only.contains("établissement inconnu"), "{siren_only}");

        let bad_siret = asserted_company(Some("73282932000075"), None).unwrap_err();
        assert!(
            bad_siret.starts_with("SIRET attesté illisible"),
            "{bad_siret}"
        );

        let nothing = asserted_company(None, None).unwrap_err();
        assert!(nothing.contains("aucune entreprise attestée"), "{nothing}");

        for eori in ["DE123456789012345", "FR732829321", "FR73282932000075"] {
            let bad_eori = asserted_company(None, Some(eori)).unwrap_err();
            assert!(bad_eori.starts_with("EORI attesté illisible"), "{bad_eori}");
        }
        // An unreadable EORI is refused even beside a good SIRET.
        assert!(
            asserted_company(Some("73282932000074"), Some("DE123456789012345"))
                .unwrap_err()
                .starts_with("EORI attesté illisible")
        );
    }

    #[test]
    fn a_name_comes_from_the_provider_or_else_from_the_address() {
        assert_eq!(
            name_from_provider(Some("  Claire   Martin "), "c.m@example.fr"),
            "Claire Martin"
        );
        assert_eq!(
            name_from_provider(None, "alice.martin@x.fr"),
            "Alice Martin"
        );
        assert_eq!(
            name_from_provider(None, "jean-pierre_dupont@example.fr"),
            "Jean Pierre Dupont"
        );
        // A provider's "name" that is no name is not kept.
        assert_eq!(
            name_from_provider(Some("contact@arnaque.example"), "alice.martin@x.fr"),
            "Alice Martin"
        );
        assert_eq!(
            name_from_provider(Some(""), "alice.martin@x.fr"),
            "Alice Martin"
        );
        // Digits only, a single letter: no name to make.
        assert_eq!(name_from_provider(None, "12345@example.fr"), "Opérateur");
        assert_eq!(name_from_provider(None, "a@example.fr"), "Opérateur");
        assert_eq!(
            name_from_provider(None, "alice+pro@example.fr"),
            "Opérateur"
        );
    }
}
