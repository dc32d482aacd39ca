//! Who and where: sites (ports and airports), their border control posts, operator companies,
//! users and their roles.

use serde::{Deserialize, Serialize};

use super::dossier::GoodsCategory;
use super::references::{Eori, Locode, PostCode, Siret};

/// Whether a site receives ships or aircraft.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SiteKind {
    Port,
    Airport,
}

impl SiteKind {
    pub fn code(self) -> &'static str {
        match self {
            SiteKind::Port => "port",
            SiteKind::Airport => "airport",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "port" => Some(SiteKind::Port),
            "airport" => Some(SiteKind::Airport),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SiteKind::Port => "Port maritime",
            SiteKind::Airport => "Aéroport",
        }
    }
}

/// A port or airport connected to the platform, named by its UN/LOCODE.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Site {
    pub code: Locode,
    pub name: String,
    pub kind: SiteKind,
    /// Its time zone, one of [`TIME_ZONES`] (the French territories').
    pub time_zone: String,
}

impl Site {
    /// The names of the `chosen` among `sites`, in their order, as a sentence says them.
    pub fn names_of(sites: &[Site], chosen: &[Locode]) -> String {
        sites
            .iter()
            .filter(|site| chosen.contains(&site.code))
            .map(|site| site.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The time zones of the French territories a site may be in, with how people name them.
pub const TIME_ZONES: [(&str, &str); 10] = [
    ("Europe/Paris", "France métropolitaine et Corse"),
    (
        "America/Guadeloupe",
        "Guadeloupe, Saint-Martin, Saint-Barthélemy",
    ),
    ("America/Martinique", "Martinique"),
    ("America/Cayenne", "Guyane"),
    ("Indian/Reunion", "La Réunion"),
    ("Indian/Mayotte", "Mayotte"),
    ("America/Miquelon", "Saint-Pierre-et-Miquelon"),
    ("Pacific/Noumea", "Nouvelle-Calédonie"),
    ("Pacific/Tahiti", "Polynésie française"),
    ("Pacific/Wallis", "Wallis-et-Futuna"),
];

/// The time zone of metropolitan France, every site's until told otherwise.
pub const PARIS_TIME_ZONE: &str = "Europe/Paris";

/// The two administrations that run controls at the border.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Administration {
    /// Customs (Direction générale des douanes et droits indirects).
    Dgddi,
    /// Food and veterinary (Direction générale de l'alimentation), through its SIVEP service.
    Dgal,
}

impl Administration {
    /// The other administration at the border (an exchange is transferred to it).
    pub fn other(self) -> Administration {
        match self {
            Administration::Dgddi => Administration::Dgal,
            Administration::Dgal => Administration::Dgddi,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Administration::Dgddi => "dgddi",
            Administration::Dgal => "dgal",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "dgddi" => Some(Administration::Dgddi),
            "dgal" => Some(Administration::Dgal),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Administration::Dgddi => "Douane (DGDDI)",
            Administration::Dgal => "SIVEP (DGAL)",
        }
    }
}

/// A border control post (PCF) on a site.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Post {
    pub code: PostCode,
    pub site: Locode,
    pub name: String,
    /// Administrations that inspect at this post.
    pub administrations: Vec<Administration>,
    /// The goods categories the post is approved (designated) for, as the European list of
    /// border control posts says, in the order of [`GoodsCategory::ALL`]. Empty: not recorded
    /// yet (a designated post is always approved for something), so nothing is claimed.
    pub approvals: Vec<GoodsCategory>,
}

impl Post {
    /// Whether the post is known to be approved for these goods.
    pub fn approves(&self, goods: GoodsCategory) -> bool {
        self.approvals.contains(&goods)
    }

    /// Whether the post is known not to be approved for these goods: its approvals are recorded
    /// and these goods are not among them. A post whose approvals are not recorded is neither.
    pub fn refuses(&self, goods: GoodsCategory) -> bool {
        refused(&self.approvals, goods)
    }
}

/// Whether a post approved for `approvals` is known not to be approved for `goods` (see
/// [`Post::refuses`]).
pub fn refused(approvals: &[GoodsCategory], goods: GoodsCategory) -> bool {
    !approvals.is_empty() && !approvals.contains(&goods)
}

/// Approvals in the order of [`GoodsCategory::ALL`], each once.
pub fn ordered_approvals(approvals: impl IntoIterator<Item = GoodsCategory>) -> Vec<GoodsCategory> {
    let given: Vec<GoodsCategory> = approvals.into_iter().collect();
    GoodsCategory::ALL
        .into_iter()
        .filter(|goods| given.contains(goods))
        .collect()
}

/// An importer, customs representative or freight forwarder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Company {
    pub id: i64,
    pub name: String,
    pub siret: Siret,
    pub eori: Option<Eori>,
}

/// What a user is in the platform; what they may see follows from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Operateur,
    AgentDgddi,
    AgentSivep,
    ChefService,
    Superviseur,
    Dgitm,
    Administrateur,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Operateur,
        Role::AgentDgddi,
        Role::AgentSivep,
        Role::ChefService,
        Role::Superviseur,
        Role::Dgitm,
        Role::Administrateur,
    ];

    /// The State accounts an identity provider may open at a first sign-in: supervisors, the
    /// DGITM and agents (a head of service is named to posts, a technical administrator from
    /// the command line, and no provider's role grants a habilitation).
    pub const PROVISIONED: [Role; 4] = [
        Role::Superviseur,
        Role::Dgitm,
        Role::AgentSivep,
        Role::AgentDgddi,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Operateur => "operateur",
            Role::AgentDgddi => "agent_dgddi",
            Role::AgentSivep => "agent_sivep",
            Role::ChefService => "chef_service",
            Role::Superviseur => "superviseur",
            Role::Dgitm => "dgitm",
            Role::Administrateur => "administrateur",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Role::ALL.into_iter().find(|role| role.code() == code)
    }

    /// The administration an agent works for, by their role.
    pub fn administration(self) -> Option<Administration> {
        match self {
            Role::AgentDgddi => Some(Administration::Dgddi),
            Role::AgentSivep => Some(Administration::Dgal),
            _ => None,
        }
    }

    /// The role of an agent of `administration`.
    pub fn agent_of(administration: Administration) -> Role {
        match administration {
            Administration::Dgddi => Role::AgentDgddi,
            Administration::Dgal => Role::AgentSivep,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Operateur => "Opérateur",
            Role::AgentDgddi => "Agent DGDDI",
            Role::AgentSivep => "Agent SIVEP",
            Role::ChefService => "Chef de service",
            Role::Superviseur => "Superviseur",
            Role::Dgitm => "DGITM",
            Role::Administrateur => "Administrateur",
        }
    }
}

/// A person with an account. Never carries secrets: the password hash stays in the store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub full_name: String,
    pub role: Role,
    /// The operator company, for operators.
    pub company_id: Option<i64>,
    /// The administration, for agents, heads of service and supervisors.
    pub administration: Option<Administration>,
    /// Whether this operator administers their company's accounts.
    pub company_admin: bool,
    /// When the address was verified; a local account signs in only once it is.
    pub email_verified: bool,
    /// Whether the account is suspended: it then cannot sign in.
    pub suspended: bool,
}

/// What an agent may see: a site, for an administration, between two dates (inclusive).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Habilitation {
    pub id: i64,
    pub user_id: i64,
    pub agent_name: String,
    pub agent_email: String,
    pub site: Locode,
    pub site_name: String,
    pub administration: Administration,
    pub starts_on: chrono::NaiveDate,
    pub ends_on: Option<chrono::NaiveDate>,
    pub granted_by: Option<String>,
    pub withdrawn: bool,
}

impl Habilitation {
    /// Whether it lets its agent see its site on `day`.
    pub fn valid_on(&self, day: chrono::NaiveDate) -> bool {
        !self.withdrawn && self.starts_on <= day && self.ends_on.is_none_or(|end| day <= end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(approvals: &[GoodsCategory]) -> Post {
        Post {
            code: PostCode::parse("FRCDG5").unwrap(),
            site: Locode::parse("FRCDG").unwrap(),
            name: "PCF de Roissy — Animaux vivants".into(),
            administrations: vec![Administration::Dgal],
            approvals: ordered_approvals(approvals.iter().copied()),
        }
    }

    #[test]
    fn a_post_refuses_only_goods_outside_its_recorded_approvals() {
        let animals = post(&[GoodsCategory::LiveAnimals]);
        assert!(animals.approves(GoodsCategory::LiveAnimals));
        assert!(!animals.refuses(GoodsCategory::LiveAnimals));
        assert!(animals.refuses(GoodsCategory::FoodNonAnimal));
        // Approvals not recorded: nothing is claimed either way.
        let unknown = post(&[]);
        for goods in GoodsCategory::ALL {
            assert!(!unknown.approves(goods));
            assert!(!unknown.refuses(goods));
        }
    }

    #[test]
    fn approvals_are_kept_in_one_order_each_once() {
        assert_eq!(
            ordered_approvals([
                GoodsCategory::Organic,
                GoodsCategory::LiveAnimals,
                GoodsCategory::Organic
            ]),
            [GoodsCategory::LiveAnimals, GoodsCategory::Organic]
        );
    }
}
