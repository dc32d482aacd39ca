//! What the technical administrator enters to open a site or a border control post, checked,
//! with a French sentence for the first mistake. Shared by the form handlers, the command line
//! (`server admin site|post create`) and the page, which explains a refused form from the
//! fields it gets back.

use std::collections::HashMap;

use super::directory::{Administration, Post, Role, Site, SiteKind, PARIS_TIME_ZONE, TIME_ZONES};
use super::dossier::GoodsCategory;
use super::references::{Locode, PostCode};

/// A form's fields by name (checkboxes: `oui` when ticked).
pub type Fields = HashMap<String, String>;

fn field<'a>(fields: &'a Fields, name: &str) -> &'a str {
    fields.get(name).map(|value| value.trim()).unwrap_or("")
}

/// The longest name of a site or a post.
pub const NAME_MAX: usize = 80;

fn parse_name(text: &str, empty: &str) -> Result<String, String> {
    let name = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match name.chars().count() {
        0 => Err(empty.to_owned()),
        1 => Err(format!(
            "« {name} » est trop court : le nom compte au moins 2 caractères."
        )),
        n if n > NAME_MAX => Err(format!(
            "Le nom compte {n} caractères : {NAME_MAX} au plus."
        )),
        _ if crate::domain::has_control_characters(&name) => {
            Err(crate::domain::account::INVISIBLE.into())
        }
        _ => Ok(name),
    }
}

/// The name of a goods category's checkbox.
pub fn goods_field(goods: GoodsCategory) -> String {
    format!("marchandise-{}", goods.code())
}

/// A site from the form's `code`, `nom`, `type` (`port` or `airport`) and `fuseau`.
pub fn parse_site(fields: &Fields) -> Result<Site, String> {
    let code = field(fields, "code");
    if code.is_empty() {
        return Err("Saisissez le code UN/LOCODE du site, par exemple FRLEH pour Le Havre.".into());
    }
    let code = Locode::parse(code).map_err(|error| error.to_string())?;
    let name = parse_name(
        field(fields, "nom"),
        "Saisissez le nom du site, par exemple « Le Havre — Port 2000 ».",
    )?;
    let kind = SiteKind::from_code(field(fields, "type"))
        .ok_or("Choisissez s'il s'agit d'un port maritime ou d'un aéroport.")?;
    let time_zone = match TIME_ZONES
        .iter()
        .find(|(zone, _)| *zone == field(fields, "fuseau"))
    {
        None => {
            return Err(
                "Choisissez le fuseau horaire du site parmi ceux des territoires français.".into(),
            )
        }
        Some((zone, _)) if *zone == PARIS_TIME_ZONE => (*zone).to_owned(),
        Some((_, territory)) => {
            return Err(format!(
                "Un site de {territory} ne peut pas encore être ouvert : les calendriers de rendez-vous et les dates de la plateforme sont à l'heure de Paris."
            ))
        }
    };
    Ok(Site {
        code,
        name,
        kind,
        time_zone,
    })
}

/// A post to open: the post, and whether it validates each request for a rendez-vous.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostDraft {
    pub post: Post,
    pub requires_validation: bool,
}

/// A post from the form's `code` (its site is the code's first five characters), `nom`, `dgal`
/// and `dgddi` (who inspects there), `validation` (`oui` or `non`) and a `marchandise-…`
/// checkbox per goods category it is approved for.
pub fn parse_post(fields: &Fields) -> Result<PostDraft, String> {
    let code = field(fields, "code");
    if code.is_empty() {
        return Err(
            "Saisissez le code du poste de contrôle frontalier, par exemple FRLEH1.".into(),
        );
    }
    let code = PostCode::parse(code).map_err(|error| error.to_string())?;
    let name = parse_name(
        field(fields, "nom"),
        "Saisissez le nom du poste, par exemple « PCF du Havre — terminal de France ».",
    )?;
    let administrations: Vec<Administration> = [
        ("dgal", Administration::Dgal),
        ("dgddi", Administration::Dgddi),
    ]
    .into_iter()
    .filter(|(name, _)| field(fields, name) == "oui")
    .map(|(_, administration)| administration)
    .collect();
    if administrations.is_empty() {
        return Err("Cochez au moins une administration qui contrôle à ce poste : la DGAL (SIVEP) ou la douane.".into());
    }
    let requires_validation = match field(fields, "validation") {
        "oui" => true,
        "non" => false,
        _ => {
            return Err(
                "Dites si le poste valide chaque demande de rendez-vous, ou la confirme dès la réservation."
                    .into(),
            )
        }
    };
    let approvals: Vec<GoodsCategory> = GoodsCategory::ALL
        .into_iter()
        .filter(|goods| field(fields, &goods_field(*goods)) == "oui")
        .collect();
    if approvals.is_empty() {
        return Err(
            "Cochez au moins une catégorie de marchandises pour laquelle le poste est agréé."
                .into(),
        );
    }
    Ok(PostDraft {
        post: Post {
            site: code.locode(),
            code,
            name,
            administrations,
            approvals,
        },
        requires_validation,
    })
}

/// The posts where `administration` inspects that a head of service does not head yet (those
/// they do head are given by code and name), by code and name.
pub fn posts_to_head(
    posts: &[Post],
    administration: Administration,
    headed: &[(String, String)],
) -> Vec<(String, String)> {
    posts
        .iter()
        .filter(|post| post.administrations.contains(&administration))
        .filter(|post| !headed.iter().any(|(code, _)| code == post.code.as_str()))
        .map(|post| (post.code.to_string(), post.name.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_provider_opens_only_the_state_accounts_it_is_configured_for() {
        let allowed = [Role::Superviseur, Role::Dgitm, Role::AgentSivep];
        assert_eq!(
            provisioned_account(Some("superviseur"), Some("dgal"), &allowed),
            Ok((Role::Superviseur, Some(Administration::Dgal)))
        );
        assert_eq!(
            provisioned_account(Some("dgitm"), Some("dgal"), &allowed),
            Ok((Role::Dgitm, None))
        );
        assert_eq!(
            provisioned_account(Some("agent_sivep"), None, &allowed),
            Ok((Role::AgentSivep, Some(Administration::Dgal)))
        );
        for (role, administration, why) in [
            (None, None, "aucun rôle attesté"),
            (Some("agent_dgddi"), None, "n'ouvre pas"),
            (Some("administrateur"), None, "n'ouvre pas"),
            (Some("chef_service"), Some("dgal"), "n'ouvre pas"),
            (Some("roi"), None, "n'ouvre pas"),
            (Some("superviseur"), None, "sans administration"),
            (Some("superviseur"), Some("dgitm"), "sans administration"),
        ] {
            let refused = provisioned_account(role, administration, &allowed).unwrap_err();
            assert!(refused.contains(why), "{role:?} : {refused}");
        }
        // Even configured, a head of service or an administrator is never opened so.
        assert!(
            provisioned_account(Some("chef_service"), Some("dgal"), &[Role::ChefService]).is_err()
        );
    }

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        pairs
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect()
    }

    #[test]
    fn a_site_is_checked_field_by_field() {
        let good = [
            ("code", " frlrh "),
            ("nom", "La Rochelle  — La Pallice"),
            ("type", "port"),
            ("fuseau", "Europe/Paris"),
        ];
        let site = parse_site(&fields(&good)).unwrap();
        assert_eq!(site.code.as_str(), "FRLRH");
        assert_eq!(site.name, "La Rochelle — La Pallice");
        assert_eq!(site.time_zone, "Europe/Paris");
        let with = |name: &str, value: &str| {
            let mut changed = fields(&good);
            changed.insert(name.to_owned(), value.to_owned());
            parse_site(&changed).unwrap_err()
        };
        assert!(with("code", "").contains("UN/LOCODE"));
        assert!(with("code", "FRPT").contains("5 caractères"));
        assert!(with("nom", " ").starts_with("Saisissez le nom du site"));
        assert!(with("nom", &"x".repeat(81)).contains("81 caractères : 80 au plus"));
        assert!(with("type", "gare").contains("port maritime ou d'un aéroport"));
        assert!(with("fuseau", "Europe/Berlin").contains("fuseau horaire"));
        assert_eq!(
            with("fuseau", "America/Guadeloupe"),
            "Un site de Guadeloupe, Saint-Martin, Saint-Barthélemy ne peut pas encore être ouvert : les calendriers de rendez-vous et les dates de la plateforme sont à l'heure de Paris."
        );
    }

    #[test]
    fn a_post_is_checked_field_by_field() {
        let good = [
            ("code", "FRPTI1"),
            ("nom", "PCF de Jarry"),
            ("dgal", "oui"),
            ("validation", "non"),
            ("marchandise-plants", "oui"),
            ("marchandise-feed", "oui"),
        ];
        let draft = parse_post(&fields(&good)).unwrap();
        assert_eq!(draft.post.site.as_str(), "FRPTI");
        assert_eq!(draft.post.administrations, vec![Administration::Dgal]);
        assert_eq!(
            draft.post.approvals,
            vec![GoodsCategory::Plants, GoodsCategory::Feed]
        );
        assert!(!draft.requires_validation);
        let without = |name: &str| {
            let mut changed = fields(&good);
            changed.remove(name);
            parse_post(&changed).unwrap_err()
        };
        assert!(without("code").contains("FRLEH1"));
        assert!(without("dgal").contains("au moins une administration"));
        assert!(without("validation").contains("valide chaque demande"));
        let mut no_goods = fields(&good);
        no_goods.remove("marchandise-plants");
        no_goods.remove("marchandise-feed");
        assert!(parse_post(&no_goods)
            .unwrap_err()
            .contains("catégorie de marchandises"));
    }

    fn post(code: &str, administrations: &[Administration]) -> Post {
        let code = PostCode::parse(code).unwrap();
        Post {
            site: code.locode(),
            code,
            name: "PCF du Havre — terminal de France".into(),
            administrations: administrations.to_vec(),
            approvals: vec![GoodsCategory::Plants],
        }
    }

    #[test]
    fn a_head_is_offered_only_the_posts_of_their_administration_they_do_not_head() {
        let posts = [
            post("FRLEH1", &[Administration::Dgal, Administration::Dgddi]),
            post("FRLEH4", &[Administration::Dgddi]),
            post("FRLEH2", &[Administration::Dgal]),
        ];
        let headed = [("FRLEH1".to_owned(), "PCF du Havre".to_owned())];
        let codes = |administration| {
            posts_to_head(&posts, administration, &headed)
                .into_iter()
                .map(|(code, _)| code)
                .collect::<Vec<_>>()
        };
        assert_eq!(codes(Administration::Dgal), ["FRLEH2"]);
        assert_eq!(codes(Administration::Dgddi), ["FRLEH4"]);
        assert_eq!(
            posts_to_head(&posts, Administration::Dgal, &[]).len(),
            2,
            "nothing headed: every post of the administration"
        );
    }

    #[test]
    fn a_state_account_is_checked_against_the_open_posts() {
        let posts = [
            post("FRLEH1", &[Administration::Dgal, Administration::Dgddi]),
            post("FRLEH4", &[Administration::Dgddi]),
        ];
        let account = |pairs: &[(&str, &str)]| parse_state_account(&fields(pairs), &posts);

        let head = account(&[
            ("compte", "chef_service"),
            ("administration", "dgal"),
            ("poste", " FRLEH1 "),
        ])
        .unwrap();
        assert_eq!(
            head,
            StateAccount::Head(Administration::Dgal, PostCode::parse("FRLEH1").unwrap())
        );
        assert_eq!(head.role(), Role::ChefService);
        assert_eq!(
            head.describe(),
            "chef de service SIVEP (DGAL) du poste FRLEH1"
        );
        assert_eq!(
            account(&[
                ("compte", "chef_service"),
                ("administration", "dgddi"),
                ("poste", "FRLEH4"),
            ]),
            Ok(StateAccount::Head(
                Administration::Dgddi,
                PostCode::parse("FRLEH4").unwrap()
            ))
        );

        // The DGAL does not inspect at FRLEH4: the message names the post.
        assert_eq!(
            account(&[
                ("compte", "chef_service"),
                ("administration", "dgal"),
                ("poste", "FRLEH4"),
            ])
            .unwrap_err(),
            "SIVEP (DGAL) ne contrôle pas au poste FRLEH4 : choisissez un poste où elle est présente, ou l'autre administration."
        );
        for unknown in ["FRCDG5", "", "n'importe quoi"] {
            assert!(account(&[
                ("compte", "chef_service"),
                ("administration", "dgal"),
                ("poste", unknown),
            ])
            .unwrap_err()
            .starts_with("Choisissez le poste de contrôle frontalier"));
        }
        for administration in [None, Some(""), Some("dgitm")] {
            let mut pairs = vec![("compte", "chef_service"), ("poste", "FRLEH1")];
            pairs.extend(administration.map(|code| ("administration", code)));
            assert!(account(&pairs)
                .unwrap_err()
                .starts_with("Choisissez l'administration du compte"));
        }

        assert_eq!(
            account(&[("compte", "superviseur"), ("administration", "dgddi")]),
            Ok(StateAccount::Supervisor(Administration::Dgddi))
        );
        assert!(account(&[("compte", "superviseur")])
            .unwrap_err()
            .starts_with("Choisissez l'administration du compte"));
        // The DGITM needs neither an administration nor a post.
        let dgitm = account(&[("compte", "dgitm")]).unwrap();
        assert_eq!(dgitm, StateAccount::Dgitm);
        assert_eq!(dgitm.role(), Role::Dgitm);
        assert_eq!(dgitm.administration(), None);

        for compte in [None, Some(""), Some("administrateur")] {
            let mut pairs = vec![("administration", "dgal"), ("poste", "FRLEH1")];
            pairs.extend(compte.map(|code| ("compte", code)));
            assert_eq!(
                account(&pairs).unwrap_err(),
                "Choisissez le compte à ouvrir : chef de service d'un poste, superviseur ou DGITM."
            );
        }
    }
}

/// An account of the State that only a technical administrator invites.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum StateAccount {
    /// A head of service of a post, for an administration present there.
    Head(Administration, PostCode),
    /// A supervisor of an administration (everywhere, reading).
    Supervisor(Administration),
    /// The DGITM's statistics.
    Dgitm,
}

impl StateAccount {
    /// The role the account opens with.
    pub fn role(&self) -> Role {
        match self {
            StateAccount::Head(..) => Role::ChefService,
            StateAccount::Supervisor(_) => Role::Superviseur,
            StateAccount::Dgitm => Role::Dgitm,
        }
    }

    pub fn administration(&self) -> Option<Administration> {
        match self {
            StateAccount::Head(administration, _) | StateAccount::Supervisor(administration) => {
                Some(*administration)
            }
            StateAccount::Dgitm => None,
        }
    }

    pub fn post(&self) -> Option<&PostCode> {
        match self {
            StateAccount::Head(_, post) => Some(post),
            _ => None,
        }
    }

    /// In words, for the pages and the mails: « chef de service (DGAL) du poste FRLEH1 ».
    pub fn describe(&self) -> String {
        match self {
            StateAccount::Head(administration, post) => {
                format!("chef de service {} du poste {post}", administration.label())
            }
            StateAccount::Supervisor(administration) => {
                format!("superviseur {}", administration.label())
            }
            StateAccount::Dgitm => "DGITM (statistiques)".to_owned(),
        }
    }
}

/// The State account an identity provider asserts at a first sign-in: the role, among those the
/// provider may open (`allowed`), with the administration a supervisor needs (an agent's is its
/// role's, the DGITM has none); or why not, in French, for the audit trail.
pub fn provisioned_account(
    role: Option<&str>,
    administration: Option<&str>,
    allowed: &[Role],
) -> Result<(Role, Option<Administration>), String> {
    let code = role.ok_or("aucun rôle attesté par le fournisseur")?;
    let role = Role::from_code(code)
        .filter(|role| Role::PROVISIONED.contains(role) && allowed.contains(role))
        .ok_or_else(|| format!("rôle attesté « {code} », que ce fournisseur n'ouvre pas"))?;
    match role {
        Role::Superviseur => administration
            .and_then(Administration::from_code)
            .map(|administration| (role, Some(administration)))
            .ok_or_else(|| {
                "superviseur attesté sans administration lisible (dgal ou dgddi)".into()
            }),
        // Agents belong to their role's administration; the DGITM to none.
        _ => Ok((role, role.administration())),
    }
}

/// The account of the State the technical administrator's invitation form asks for: `compte`
/// (`chef_service`, `superviseur` or `dgitm`), `administration` (`dgal` or `dgddi`) for a head
/// or a supervisor, and `poste` for a head — one of `posts`, where that administration inspects.
pub fn parse_state_account(fields: &Fields, posts: &[Post]) -> Result<StateAccount, String> {
    let administration = || {
        Administration::from_code(field(fields, "administration")).ok_or_else(|| {
            "Choisissez l'administration du compte : la DGAL (SIVEP) ou la douane (DGDDI)."
                .to_owned()
        })
    };
    match field(fields, "compte") {
        "chef_service" => {
            let administration = administration()?;
            let code = field(fields, "poste");
            let post = posts
                .iter()
                .find(|post| post.code.as_str() == code)
                .ok_or("Choisissez le poste de contrôle frontalier que ce chef de service dirigera, parmi les postes ouverts.")?;
            if !post.administrations.contains(&administration) {
                return Err(format!(
                    "{} ne contrôle pas au poste {} : choisissez un poste où elle est présente, ou l'autre administration.",
                    administration.label(),
                    post.code
                ));
            }
            Ok(StateAccount::Head(administration, post.code.clone()))
        }
        "superviseur" => Ok(StateAccount::Supervisor(administration()?)),
        "dgitm" => Ok(StateAccount::Dgitm),
        _ => Err(
            "Choisissez le compte à ouvrir : chef de service d'un poste, superviseur ou DGITM."
                .into(),
        ),
    }
}
