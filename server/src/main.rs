//! The `server` command: serves the platform (default), migrates the database, or verifies the
//! audit trail.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use secrecy::ExposeSecret;
use server::config::{Config, DEFAULT_DEMO_PASSWORD};
use server::tools::demo;
use server::{shutdown_signal, telemetry, Server};

#[derive(Parser)]
#[command(name = "server", about = "France Sésame : serveur de la plateforme")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Sert la plateforme (commande par défaut).
    Serve,
    /// Met le schéma de la base de données à jour, puis s'arrête.
    Migrate,
    /// Simule le trafic des systèmes partenaires (navires, vols, DSCE, contrôles, décisions,
    /// déclarations, sorties) à travers l'interface HTTP réelle d'une plateforme en marche.
    Simulate {
        /// L'adresse de la plateforme.
        #[arg(long, default_value = "http://127.0.0.1:3000")]
        url: String,
        /// La clé d'API d'un système partenaire autorisé pour toutes les sources et tous les sites.
        #[arg(long, env = "SESAME_SIMULATION_KEY")]
        key: String,
        /// Événements par seconde, au plus.
        #[arg(long, default_value_t = 2.0)]
        rate: f64,
        /// Une seconde réelle vaut ce nombre de secondes de parcours.
        #[arg(long, default_value_t = 360.0)]
        acceleration: f64,
        /// S'arrêter après ce nombre d'événements (par défaut : jamais).
        #[arg(long)]
        events: Option<u64>,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Mesures de performance (ingestion, diffusion en direct), imprimées en tableaux.
    Bench {
        /// Événements envoyés pour mesurer l'ingestion.
        #[arg(long, default_value_t = 2000)]
        events: usize,
        /// Taille des lots.
        #[arg(long, default_value_t = 100)]
        batch: usize,
        /// Nombres d'abonnés au flux en direct, séparés par des virgules.
        #[arg(long, default_value = "1000,5000,10000", value_delimiter = ',')]
        subscribers: Vec<usize>,
        /// Réservations simultanées sur les dernières places d'un créneau.
        #[arg(long, default_value_t = 500)]
        attempts: usize,
        /// Listes de dossiers ouvertes pour compter les lectures qu'une écriture cause (dix
        /// d'entre elles voient le dossier).
        #[arg(long = "listes", default_value_t = 1000)]
        list_subscribers: usize,
        /// Adresse d'administration d'un serveur PostgreSQL, pour le mesurer aussi (une base y
        /// est créée). Par défaut : TEST_DATABASE_URL.
        #[arg(long, env = "TEST_DATABASE_URL")]
        postgres: Option<String>,
    },
    /// Passage à l'échelle : les pages de tous les jours mesurées sur la démonstration, puis sur
    /// la même base après l'ajout en masse d'années d'historique, imprimées en tableaux.
    #[command(name = "bench-echelle")]
    BenchScale {
        /// Dossiers d'historique ajoutés à la base PostgreSQL.
        #[arg(long, default_value_t = 1_000_000)]
        dossiers: usize,
        /// Dossiers d'historique ajoutés à la base SQLite.
        #[arg(long = "dossiers-sqlite", default_value_t = 100_000)]
        dossiers_sqlite: usize,
        /// Lectures de chaque page par une personne.
        #[arg(long = "mesures", default_value_t = 200)]
        samples: usize,
        /// Personnes qui lisent des pages de dossiers en même temps, dans les charges.
        #[arg(long = "personnes", default_value_t = 50)]
        people: usize,
        /// Durée de chaque charge, en secondes.
        #[arg(long = "secondes", default_value_t = 20)]
        seconds: u64,
        /// Ne mesurer que l'horloge des alertes (sans les pages).
        #[arg(long = "horloge-seule")]
        clock_only: bool,
        /// Adresse d'administration d'un serveur PostgreSQL, pour le mesurer aussi (une base y
        /// est créée). Par défaut : TEST_DATABASE_URL.
        #[arg(long, env = "TEST_DATABASE_URL")]
        postgres: Option<String>,
    },
    /// Endurance : le simulateur à débit constant pendant longtemps, des flux en direct ouverts ;
    /// mémoire, latence et erreurs par fenêtre, imprimées en tableau.
    #[command(name = "bench-endurance")]
    BenchSoak {
        /// Durée, en minutes.
        #[arg(long, default_value_t = 30.0)]
        minutes: f64,
        /// Durée d'une ligne du tableau, en minutes (la première et la dernière sont comparées).
        #[arg(long = "fenetre", default_value_t = 5.0)]
        window_minutes: f64,
        /// Flux en direct ouverts.
        #[arg(long = "abonnes", default_value_t = 1000)]
        subscribers: usize,
        /// Événements par seconde envoyés par le simulateur.
        #[arg(long = "debit", default_value_t = 20.0)]
        rate: f64,
        /// Une seconde réelle vaut ce nombre de secondes de parcours des envois simulés : assez
        /// pour que le rythme des parcours ne retienne jamais le simulateur sous son débit.
        #[arg(long, default_value_t = 3600.0)]
        acceleration: f64,
        /// Adresse d'administration d'un serveur PostgreSQL, pour l'éprouver à la place de SQLite
        /// (une base y est créée).
        #[arg(long)]
        postgres: Option<String>,
    },
    /// Fuzzing des lecteurs d'entrées extérieures (événements et documents des partenaires, champs
    /// des formulaires, cookies, envois de fichiers, Last-Event-ID, X-Forwarded-For) pendant le
    /// temps donné ; un tableau des cas essayés par propriété et des fautes trouvées.
    #[command(name = "bench-fuzz")]
    BenchFuzz {
        /// Durée totale, en minutes, partagée entre les propriétés.
        #[arg(long, default_value_t = 10.0)]
        minutes: f64,
    },
    /// Le plancher de la mesure de diffusion : un serveur de flux nu, lancé par `bench`.
    #[command(name = "bench-floor", hide = true)]
    BenchFloor {
        #[arg(long)]
        port: u16,
        /// Taille d'un message sur le réseau.
        #[arg(long = "octets")]
        bytes: usize,
    },
    /// Administration technique d'un déploiement sans démonstration.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Clés d'API des systèmes partenaires.
    #[command(name = "partner-key")]
    PartnerKey {
        #[command(subcommand)]
        command: KeyCommand,
    },
    /// Conservation des données personnelles : prévient les comptes un mois avant leur
    /// suppression, supprime ceux restés deux ans sans connexion (sauf gel du bureau des
    /// droits), efface les données de connexion de plus de six mois et les données personnelles
    /// du journal d'audit arrivées à échéance. L'horloge de la plateforme le fait chaque jour ;
    /// avec --dry-run, affiche seulement ce qui partirait.
    Retention {
        /// N'efface rien : affiche ce qui partirait.
        #[arg(long = "dry-run")]
        dry_run: bool,
        /// Avec --dry-run : ce qui partirait à cette date (AAAA-MM-JJ, à midi UTC) au lieu de
        /// maintenant.
        #[arg(long = "au", value_name = "DATE", requires = "dry_run")]
        on: Option<chrono::NaiveDate>,
    },
    /// Journal d'audit.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Ouvre le compte du premier administrateur technique (adresse tenue pour vérifiée) et
    /// affiche le lien, à usage unique, qui lui fait choisir son mot de passe. Refuse, sans rien
    /// créer, si un administrateur existe déjà (sauf avec --supplementaire) ou si l'adresse est
    /// prise. Avec un fournisseur d'identité configuré, il peut aussi se connecter par celui-ci
    /// avec la même adresse vérifiée.
    Create {
        /// Son adresse électronique professionnelle.
        #[arg(long)]
        email: String,
        /// Son prénom et son nom.
        #[arg(long)]
        name: String,
        /// En ajouter un alors qu'il en existe déjà.
        #[arg(long = "supplementaire")]
        additional: bool,
    },
    /// Ouvre un site (port ou aéroport), comme l'écran « Sites et postes ».
    #[command(name = "create-site")]
    CreateSite {
        /// Son code UN/LOCODE, par exemple FRLEH.
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        /// port ou airport.
        #[arg(long)]
        kind: String,
        /// Son fuseau horaire : Europe/Paris (les sites d'outre-mer viendront avec les
        /// calendriers à l'heure locale).
        #[arg(long = "time-zone", default_value = "Europe/Paris")]
        time_zone: String,
    },
    /// Ouvre un poste de contrôle frontalier à son site, avec un calendrier de rendez-vous, des
    /// seuils d'alerte et des responsabilités d'étapes par défaut, comme l'écran « Sites et
    /// postes ».
    #[command(name = "create-post")]
    CreatePost {
        /// Son code, par exemple FRLEH1 (les cinq premiers caractères sont ceux de son site).
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        /// La DGAL (SIVEP) y contrôle.
        #[arg(long)]
        dgal: bool,
        /// La douane y contrôle.
        #[arg(long)]
        dgddi: bool,
        /// Chaque demande de rendez-vous attend la validation d'un agent.
        #[arg(long)]
        validation: bool,
        /// Les catégories de marchandises pour lesquelles il est agréé, séparées par des
        /// virgules (live_animals, animal_products, plants, feed, food_non_animal,
        /// fruit_vegetables, organic).
        #[arg(long, default_value = "")]
        goods: String,
    },
}

#[derive(Subcommand)]
enum KeyCommand {
    /// Crée une clé et l'affiche une seule fois (seule son empreinte est conservée).
    Create {
        /// Le système partenaire, par exemple « TRACES NT » ou « Douane — Delta G ».
        #[arg(long)]
        name: String,
        /// Sources autorisées, séparées par des virgules (traces, customs, port_community,
        /// airport_community, sivep), ou * pour toutes.
        #[arg(long, default_value = "*")]
        sources: String,
        /// Sites autorisés (UN/LOCODE), séparés par des virgules, ou * pour tous.
        #[arg(long, default_value = "*")]
        sites: String,
    },
    /// Liste les clés (jamais les clés elles-mêmes).
    List,
    /// Révoque une clé : toute requête qui la présente est refusée aussitôt.
    Revoke {
        /// Le numéro de la clé (voir `list`).
        id: i64,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Vérifie l'intégrité du journal d'audit : toute entrée modifiée, supprimée ou ajoutée
    /// est signalée, et la commande échoue (code de sortie 1). Affiche l'ancre du journal
    /// (numéro et empreinte de la dernière entrée), à conserver hors de la base.
    Verify {
        /// Une ancre relevée lors d'une vérification précédente (« 1234:empreinte ») : la
        /// vérification échoue si l'entrée n'a plus cette empreinte, c'est-à-dire si le
        /// journal a été réécrit depuis, même entièrement recalculé.
        #[arg(long = "ancre", value_name = "NUMÉRO:EMPREINTE")]
        anchors: Vec<String>,
        /// Un fichier d'ancres tenu par `audit anchor --fichier` : chacune est vérifiée.
        #[arg(long = "ancres", value_name = "FICHIER")]
        anchor_file: Option<PathBuf>,
    },
    /// Affiche l'ancre du journal (numéro et empreinte de sa dernière entrée), sans parcourir
    /// tout le journal ; avec --fichier, l'ajoute aussi, datée, à la fin de ce fichier : à
    /// lancer à intervalles réguliers, vers un stockage hors de la base.
    Anchor {
        #[arg(long = "fichier", value_name = "FICHIER")]
        file: Option<PathBuf>,
    },
    /// Efface du journal les données personnelles que la durée de conservation n'autorise plus :
    /// les données de connexion (adresse IP) après six mois, les identités (adresses
    /// électroniques) après deux ans. Le journal reste vérifiable. À lancer chaque jour ; sur
    /// PostgreSQL, avec le rôle de SESAME_PURGE_DATABASE_URL, qui ne peut rien faire d'autre.
    Purge,
    /// Vérifie une copie scellée (archive d'un dossier, copie des données d'une personne) sans
    /// la base de données : chaque fichier a l'empreinte que son manifeste annonce, le
    /// manifeste a celle que le scellement enregistre, et l'entrée du journal qui scelle la copie
    /// a son empreinte. Avec --ancre (donnée ou confirmée par l'administration, qui la vérifie
    /// par `audit verify --ancre`), la copie doit être celle que cette entrée scelle.
    #[command(name = "verify-export")]
    VerifyExport {
        /// L'archive ZIP à vérifier.
        #[arg(value_name = "FICHIER")]
        file: PathBuf,
        #[arg(long = "ancre", value_name = "NUMÉRO:EMPREINTE")]
        anchors: Vec<String>,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::load() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::FAILURE;
        }
    };
    telemetry::init(&config);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Migrate => server::prepare_store(&Config {
            demo: false,
            ..config
        })
        .await
        .map(|_| tracing::info!("schéma à jour"))
        .map_err(|error| error.to_string()),
        Command::Audit {
            command:
                AuditCommand::Verify {
                    mut anchors,
                    anchor_file,
                },
        } => match anchor_file.map(|path| read_anchors(&path)).transpose() {
            Ok(filed) => {
                anchors.extend(filed.unwrap_or_default());
                verify_audit(config, anchors).await
            }
            Err(error) => Err(error),
        },
        Command::Audit {
            command: AuditCommand::Anchor { file },
        } => anchor_audit(config, file).await,
        Command::Audit {
            command: AuditCommand::Purge,
        } => purge_audit(config).await,
        Command::Audit {
            command: AuditCommand::VerifyExport { file, anchors },
        } => verify_export(&file, &anchors),
        Command::Retention { dry_run, on } => retention(config, dry_run, on).await,
        Command::BenchScale {
            dossiers,
            dossiers_sqlite,
            samples,
            people,
            seconds,
            clock_only,
            postgres,
        } => {
            server::tools::scale::run(server::tools::scale::Settings {
                dossiers_postgres: dossiers,
                dossiers_sqlite,
                samples: samples.max(1),
                people: people.max(1),
                seconds: seconds.max(1),
                clock_only,
                postgres,
            })
            .await
        }
        Command::BenchSoak {
            minutes,
            window_minutes,
            subscribers,
            rate,
            acceleration,
            postgres,
        } => {
            server::tools::soak::run(server::tools::soak::Settings {
                minutes,
                window_minutes,
                subscribers: subscribers.max(1),
                rate,
                acceleration,
                postgres,
            })
            .await
        }
        Command::BenchFuzz { minutes } => server::tools::fuzz::run(minutes),
        Command::BenchFloor { port, bytes } => server::tools::bench::floor(port, bytes).await,
        Command::PartnerKey { command } => partner_keys(config, command).await,
        Command::Admin { command } => administration(config, command).await,
        Command::Bench {
            events,
            batch,
            subscribers,
            attempts,
            list_subscribers,
            postgres,
        } => {
            server::tools::bench::run(server::tools::bench::Settings {
                events,
                batch: batch.max(1),
                subscribers,
                attempts,
                list_subscribers,
                postgres,
            })
            .await
        }
        Command::Simulate {
            url,
            key,
            rate,
            acceleration,
            events,
            seed,
        } => {
            simulate(
                config,
                server::tools::simulator::Settings {
                    url,
                    key,
                    rate,
                    acceleration,
                    events,
                    seed,
                },
            )
            .await
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error}");
            eprintln!("Erreur : {error}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config) -> Result<(), String> {
    let server = Server::build(&config).await.map_err(|e| e.to_string())?;
    tracing::info!(addr = %server.addr, backend = ?server.store.backend(), "France Sésame à l'écoute");
    if config.demo {
        print_demo_accounts(&config, server.addr);
    }
    server
        .run(shutdown_signal())
        .await
        .map_err(|e| e.to_string())
}

async fn simulate(
    config: Config,
    settings: server::tools::simulator::Settings,
) -> Result<(), String> {
    // The platform sets its database up (migrations, demo data) before anything is read here.
    server::tools::simulator::wait_until_ready(&settings.url).await?;
    let store = app::store::Store::connect(config.database_url.expose_secret())
        .await
        .map_err(|error| error.to_string())?;
    println!(
        "Simulation vers {} : {} événement{} par seconde au plus (Ctrl-C pour arrêter).",
        settings.url,
        settings.rate,
        if settings.rate >= 2.0 { "s" } else { "" }
    );
    let sent = tokio::select! {
        sent = server::tools::simulator::run(&store, settings) => sent?,
        _ = shutdown_signal() => 0,
    };
    store.close().await;
    if sent > 0 {
        println!(
            "{}.",
            app::ui::format::count(sent as i64, "événement envoyé", "événements envoyés")
        );
    }
    Ok(())
}

/// Who acts from the command line, for the audit trail.
const COMMAND_LINE: app::store::Actor<'static> = app::store::Actor {
    user_id: None,
    email: "ligne de commande",
    address: "",
    client_key: "",
};

async fn administration(config: Config, command: AdminCommand) -> Result<(), String> {
    let base_url = config.base_url();
    let store = open_store(config).await?;
    let result = match command {
        AdminCommand::Create {
            email,
            name,
            additional,
        } => app::api::administration::manage::create_administrator(
            &store,
            &email,
            &name,
            additional,
            &base_url,
            chrono::Utc::now(),
        )
        .await
        .map(|opened| {
            println!(
                "Compte d'administrateur technique n° {} ouvert pour {}.",
                opened.user_id, opened.email
            );
            println!(
                "Pour choisir son mot de passe, ouvrez ce lien une seule fois, avant le {} (heure de Paris) :",
                app::ui::format::date_time(opened.expires_at)
            );
            println!("{}", opened.link);
        }),
        AdminCommand::CreateSite { ref kind, .. } if !["port", "airport"].contains(&kind.trim()) => Err(format!(
            "--kind vaut port ou airport, pas « {} » : rien n'a été créé.",
            kind.trim()
        )),
        AdminCommand::CreateSite {
            code,
            name,
            kind,
            time_zone,
        } => {
            let fields = [
                ("code", code),
                ("nom", name),
                ("type", kind),
                ("fuseau", time_zone),
            ]
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value))
            .collect();
            app::api::administration::manage::open_site(&store, &fields, &COMMAND_LINE, chrono::Utc::now())
                .await
                .map(|site| println!("Site {} ({}) ouvert.", site.code, site.name))
                .map_err(|refused| refused.message())
        }
        AdminCommand::CreatePost { dgal, dgddi, .. } if !dgal && !dgddi => Err(
            "Indiquez qui contrôle à ce poste : --dgal, --dgddi, ou les deux. Rien n'a été créé."
                .to_owned(),
        ),
        AdminCommand::CreatePost { goods, .. } if goods.trim().is_empty() => Err(
            "Indiquez les catégories de marchandises pour lesquelles le poste est agréé, par exemple --goods plants,feed. Rien n'a été créé."
                .to_owned(),
        ),
        AdminCommand::CreatePost {
            code,
            name,
            dgal,
            dgddi,
            validation,
            goods,
        } => {
            let yes = |on: bool| if on { "oui" } else { "" }.to_owned();
            let mut fields: app::domain::administration::Fields = [
                ("code", code),
                ("nom", name),
                ("dgal", yes(dgal)),
                ("dgddi", yes(dgddi)),
                ("validation", if validation { "oui" } else { "non" }.to_owned()),
            ]
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value))
            .collect();
            let mut unknown = Vec::new();
            for code in goods.split(',').map(str::trim).filter(|code| !code.is_empty()) {
                if app::domain::dossier::GoodsCategory::from_code(code).is_none() {
                    unknown.push(code.to_owned());
                }
                fields.insert(format!("marchandise-{code}"), "oui".to_owned());
            }
            if !unknown.is_empty() {
                store.close().await;
                return Err(format!(
                    "« {} » n'est pas une catégorie de marchandises : choisissez parmi live_animals, animal_products, plants, feed, food_non_animal, fruit_vegetables et organic.",
                    unknown.join(", ")
                ));
            }
            app::api::administration::manage::open_post(&store, &fields, &COMMAND_LINE, chrono::Utc::now())
                .await
                .map(|post| println!("Poste {} ({}) ouvert au site {}.", post.code, post.name, post.site))
                .map_err(|refused| refused.message())
        }
    };
    store.close().await;
    result
}

async fn partner_keys(config: Config, command: KeyCommand) -> Result<(), String> {
    let store = open_store(config).await?;
    const ACTOR: app::api::partner_keys::manage::Actor = app::api::partner_keys::manage::Actor {
        id: None,
        name: "ligne de commande",
        address: "-",
    };
    let result = match command {
        KeyCommand::Create {
            name,
            sources,
            sites,
        } => app::api::partner_keys::manage::create_key(&store, &name, &sources, &sites, &ACTOR)
            .await
            .map(|(id, key)| {
                println!("Clé n° {id} créée pour « {} » :", name.trim());
                println!("{key}");
                println!("Conservez-la maintenant : elle ne sera plus jamais affichée.");
            }),
        KeyCommand::List => store
            .partner_keys()
            .await
            .map_err(|error| error.to_string())
            .map(|keys| {
                if keys.is_empty() {
                    println!("Aucune clé.");
                }
                for key in keys {
                    println!(
                        "n° {:<4} {:<30} sources {:<20} sites {:<20} {}",
                        key.id,
                        key.name,
                        key.sources,
                        key.sites,
                        match key.revoked_at {
                            Some(at) => format!("révoquée le {}", at.format("%d/%m/%Y")),
                            None => "active".to_owned(),
                        }
                    );
                }
            }),
        KeyCommand::Revoke { id } => app::api::partner_keys::manage::revoke_key(&store, id, &ACTOR)
            .await
            .and_then(|revoked| {
                if revoked {
                    println!("Clé n° {id} révoquée.");
                    Ok(())
                } else {
                    Err(format!("aucune clé active n° {id}"))
                }
            }),
    };
    store.close().await;
    result
}

/// The anchors of a file kept by `audit anchor --fichier`: the last word of each line.
fn read_anchors(path: &std::path::Path) -> Result<Vec<String>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| format!("fichier d'ancres {} illisible : {error}", path.display()))?;
    Ok(text
        .lines()
        .filter_map(|line| line.split_whitespace().last())
        .map(str::to_owned)
        .collect())
}

/// Erases the personal values older than their retention, as the purge's role when configured
/// (it cannot migrate: the schema is the platform's to update).
async fn purge_audit(config: Config) -> Result<(), String> {
    let url = config
        .purge_database_url
        .as_ref()
        .unwrap_or(&config.database_url);
    let store = app::store::Store::connect(url.expose_secret())
        .await
        .map_err(|error| error.to_string())?;
    let now = chrono::Utc::now();
    let months_ago = |months| {
        now.checked_sub_months(chrono::Months::new(months))
            .unwrap_or(now)
    };
    let erased = store
        .erase_personal_values(
            months_ago(app::store::CONNECTION_RETENTION_MONTHS),
            months_ago(app::store::IDENTITY_RETENTION_MONTHS),
            now,
        )
        .await
        .map_err(|error| error.to_string());
    store.close().await;
    let erased = erased?;
    println!(
        "Données de connexion effacées de {}, identités de {}.",
        app::ui::format::count(erased.connections as i64, "entrée", "entrées"),
        app::ui::format::count(erased.identities as i64, "entrée", "entrées")
    );
    Ok(())
}

/// The retention by hand: what would go (`dry_run`, now or `on` a day), or a run now, the trail
/// erased as the purge's role when configured.
async fn retention(
    config: Config,
    dry_run: bool,
    on: Option<chrono::NaiveDate>,
) -> Result<(), String> {
    let purge_url = config.purge_database_url.clone();
    // The schema is the platform's to update: the retention only reads and erases.
    let store = app::store::Store::connect(config.database_url.expose_secret())
        .await
        .map_err(|error| error.to_string())?;
    let now = match on {
        Some(day) => day.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc(),
        None => chrono::Utc::now(),
    };
    let result = async {
        if dry_run {
            let limits = app::store::RetentionLimits::at(now);
            let plan = store.retention_plan(&limits).await?;
            print!("{}", server::retention::plan_table(&plan, &limits));
            return Ok(());
        }
        let purge = match &purge_url {
            Some(url) => app::store::Store::connect(url.expose_secret()).await?,
            None => store.clone(),
        };
        let files = server::files::of_config(&config).map_err(app::store::StoreError::Corrupt)?;
        let done = server::retention::run(&store, &purge, files.as_ref(), now).await;
        if purge_url.is_some() {
            purge.close().await;
        }
        println!("Conservation des données : {}.", done?.summary());
        Ok::<(), app::store::StoreError>(())
    }
    .await
    .map_err(|error| error.to_string());
    store.close().await;
    result
}

/// Prints the trail's anchor, and appends it with the time to `file` when given.
async fn anchor_audit(config: Config, file: Option<PathBuf>) -> Result<(), String> {
    let store = open_store(config).await?;
    let anchor = store
        .audit_anchor()
        .await
        .map_err(|error| error.to_string());
    store.close().await;
    let Some((seq, hash)) = anchor? else {
        println!("Le journal d'audit est vide : aucune ancre à conserver.");
        return Ok(());
    };
    let anchor = format!("{seq}:{hash}");
    if let Some(path) = file {
        use std::io::Write;
        let line = format!(
            "{} {anchor}\n",
            chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        );
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .and_then(|mut file| file.write_all(line.as_bytes()))
            .map_err(|error| format!("ancre non ajoutée à {} : {error}", path.display()))?;
        println!("Ancre ajoutée à {} : {anchor}", path.display());
    } else {
        println!("{anchor}");
    }
    Ok(())
}

async fn verify_audit(config: Config, anchors: Vec<String>) -> Result<(), String> {
    let store = open_store(config).await?;
    let report = store
        .verify_audit()
        .await
        .map_err(|error| error.to_string())?;
    // Anchors recorded earlier, outside the database: a trail rewritten and recomputed from the
    // start no longer has their hashes.
    let mut broken_anchor = None;
    for anchor in &anchors {
        let Some((seq, hash)) = anchor
            .split_once(':')
            .and_then(|(seq, hash)| Some((seq.trim().parse::<i64>().ok()?, hash.trim())))
        else {
            store.close().await;
            return Err(format!(
                "ancre « {anchor} » illisible : attendu NUMÉRO:EMPREINTE"
            ));
        };
        let stored = store
            .audit_hash(seq)
            .await
            .map_err(|error| error.to_string())?;
        if stored.as_deref() != Some(hash) && broken_anchor.is_none() {
            broken_anchor = Some(match stored {
                Some(_) => format!(
                    "l'entrée n° {seq} n'a plus l'empreinte de l'ancre : le journal a été réécrit"
                ),
                None => format!("l'entrée n° {seq} de l'ancre a disparu"),
            });
        }
    }
    store.close().await;
    if let Some(problem) = broken_anchor {
        return Err(format!("journal d'audit altéré : {problem}"));
    }
    match report.problem {
        None => {
            println!(
                "Journal d'audit intègre : {} entrée{} vérifiée{}.",
                report.entries,
                if report.entries > 1 { "s" } else { "" },
                if report.entries > 1 { "s" } else { "" }
            );
            if report.entries > 0 {
                println!(
                    "Ancre à conserver hors de la base (à redonner avec --ancre) : {}:{}",
                    report.entries, report.head_hash
                );
            }
            Ok(())
        }
        Some(problem) => Err(format!(
            "journal d'audit altéré après {} : {problem}",
            app::ui::format::count(report.entries as i64, "entrée intègre", "entrées intègres")
        )),
    }
}

/// Checks a sealed copy, without the database (see [`app::documents::evidence::verify`]).
fn verify_export(file: &std::path::Path, anchors: &[String]) -> Result<(), String> {
    let verified = app::documents::evidence::verify(file, anchors)
        .map_err(|problem| format!("copie refusée : {problem}"))?;
    println!(
        "Copie intègre : {} et {} du journal d'audit, établie le {} (UTC), au sujet de « {} ».",
        app::ui::format::count(
            verified.files as i64,
            "fichier vérifié",
            "fichiers vérifiés"
        ),
        app::ui::format::count(verified.audit as i64, "entrée", "entrées"),
        verified.made_at.format("%d/%m/%Y à %H:%M:%S"),
        verified.object
    );
    if anchors.is_empty() {
        println!(
            "Ancre de la copie : {} — à faire confirmer par l'administration (audit verify --ancre {}).",
            verified.anchor, verified.anchor
        );
    } else {
        println!("Ancre confirmée : {}.", verified.anchor);
    }
    Ok(())
}

/// The store of the configuration, migrated, never seeded (the commands other than `serve`).
async fn open_store(config: Config) -> Result<app::store::Store, String> {
    server::prepare_store(&Config {
        demo: false,
        ..config
    })
    .await
    .map_err(|error| error.to_string())
}

/// Tells a newcomer how to sign in to the demo. The documented default password is shown; a
/// password chosen through the environment is not.
fn print_demo_accounts(config: &Config, addr: std::net::SocketAddr) {
    let password = if config.demo_password.expose_secret() == DEFAULT_DEMO_PASSWORD {
        DEFAULT_DEMO_PASSWORD.to_owned()
    } else {
        "(la valeur de SESAME_DEMO_PASSWORD)".to_owned()
    };
    println!();
    println!("France Sésame est prêt : http://{addr}");
    println!("Comptes de démonstration (mot de passe : {password}) :");
    for account in demo::ACCOUNTS {
        println!("  {:<34} {}", account.email, account.role.label());
    }
    println!();
}
