//! Copies of records others can verify: a dossier's record and a person's record are sealed by
//! the audit entry the platform appends when it makes them, which records the SHA-256 of the
//! copy's manifest; the manifest in turn holds the SHA-256 of every file. [`verify`] checks a
//! copy with nothing but the copy and, if given, the anchor the platform's trail confirms
//! (`NUMÉRO:EMPREINTE`): it is what `server audit verify-export` runs, without the database.

use crate::domain::hex;
use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::domain::document::{
    seal_detail, Manifest, ManifestAudit, Seal, SealedEntry, MANIFEST_NAME, SEAL_FORMAT, SEAL_NAME,
    SEAL_VERSION,
};
use crate::store::{sealed_entry_hash, AuditEntry};

/// The action of the entry that seals a copy.
pub const SEAL_ACTION: &str = "copie_scellee";

/// What an action of the audit trail is, in French, for the people the copy is about.
pub fn action_label(action: &str) -> String {
    let known = match action {
        "connexion" => "Connexion",
        "connexion_refusee" => "Connexion refusée",
        "deconnexion" => "Déconnexion",
        "session_terminee" => "Session fermée",
        "mot_de_passe_change" => "Mot de passe changé",
        "adresse_verifiee" => "Adresse électronique vérifiée",
        "changement_adresse_demande" => "Changement d'adresse électronique demandé",
        "profil_modifie" => "Profil modifié",
        "cgu_acceptees" => "Conditions générales d'utilisation acceptées",
        "collegue_invite" => "Invitation d'un collègue",
        "collegue_retire" => "Compte retiré de l'entreprise",
        "agent_invite" => "Invitation d'un agent",
        "consultation_dossier" => "Consultation du dossier",
        "consultation_habilitations" => "Consultation des habilitations",
        "telechargement_dossier" => "Téléchargement de l'archive du dossier",
        "telechargement_document" => "Téléchargement d'un document",
        "ajout_document" => "Ajout d'un document",
        "copie_scellee" => "Copie scellée délivrée",
        "conservation_suspendue" => "Conservation des données suspendue (litige)",
        "conservation_reprise" => "Fin de la suspension de conservation",
        "donnees_personnelles_effacees" => "Données personnelles effacées (durée de conservation)",
        "suppression_compte" => "Compte supprimé (durée de conservation)",
        "demande_droits" => "Demande d'exercice de vos droits",
        _ => "",
    };
    if !known.is_empty() {
        return known.to_owned();
    }
    // Any other code reads as its words: `habilitation_accordee` → « Habilitation accordee ».
    let words = action.replace('_', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The audit entries a copy carries, as its reader may know them: when, what, and who in
/// general terms (`by` names the reader's own entries « vous » and says nothing of which agent).
pub fn manifest_audit(
    entries: &[AuditEntry],
    by: impl Fn(&AuditEntry) -> String,
) -> Vec<ManifestAudit> {
    entries
        .iter()
        .map(|entry| ManifestAudit {
            seq: entry.seq,
            at: entry.at,
            action: entry.action.clone(),
            label: action_label(&entry.action),
            by: by(entry),
            hash: entry.hash.clone(),
        })
        .collect()
}

/// The seal of a copy whose manifest has this SHA-256, from the entry appended for it.
pub fn seal(manifest_sha256: String, entry: SealedEntry) -> Vec<u8> {
    let anchor = format!("{}:{}", entry.seq, entry.hash);
    let seal = Seal {
        format: SEAL_FORMAT.to_owned(),
        version: SEAL_VERSION,
        manifest_sha256,
        entry,
        anchor,
    };
    serde_json::to_vec_pretty(&seal).unwrap_or_default()
}

/// What a verification of a copy found intact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// The files the manifest lists, each found with its hash.
    pub files: usize,
    /// The audit entries the manifest carries.
    pub audit: usize,
    /// The seal's anchor, `NUMÉRO:EMPREINTE`.
    pub anchor: String,
    /// What the copy is about: `dossier:42`, `utilisateur:7`.
    pub object: String,
    /// When the copy was made.
    pub made_at: chrono::DateTime<chrono::Utc>,
}

/// Checks the copy at `path`: every file of its manifest there with its SHA-256 and size and
/// nothing else, the manifest's SHA-256 the one its seal records, the seal's entry hashing to
/// its hash, and that entry the one each anchor of `anchors` names. The first problem, in
/// French, otherwise.
pub fn verify(path: &Path, anchors: &[String]) -> Result<Verified, String> {
    let file = std::fs::File::open(path)
        .map_err(|error| format!("copie « {} » illisible : {error}", path.display()))?;
    let mut zip = zip::ZipArchive::new(file)
        .map_err(|error| format!("la copie n'est pas une archive ZIP lisible : {error}"))?;
    let mut read = |name: &str| -> Result<Vec<u8>, String> {
        let mut entry = zip
            .by_name(name)
            .map_err(|_| format!("la copie ne contient pas « {name} »"))?;
        let mut bytes = Vec::new();
        // The archive's own checksum fails here when a byte of the file was changed.
        entry
            .read_to_end(&mut bytes)
            .map_err(|error| format!("« {name} » est altéré dans la copie : {error}"))?;
        Ok(bytes)
    };
    let manifest_bytes = read(MANIFEST_NAME)?;
    let seal_bytes = read(SEAL_NAME)?;
    let seal: Seal = serde_json::from_slice(&seal_bytes)
        .map_err(|error| format!("le scellement est illisible : {error}"))?;
    if seal.format != SEAL_FORMAT || seal.version != SEAL_VERSION {
        return Err(format!(
            "scellement de format inconnu : {} version {}",
            seal.format, seal.version
        ));
    }
    let manifest_sha256 = hex(&Sha256::digest(&manifest_bytes));
    if manifest_sha256 != seal.manifest_sha256 || seal.entry.detail != seal_detail(&manifest_sha256)
    {
        return Err(
            "le manifeste ne correspond plus à l'empreinte scellée : la copie a été modifiée"
                .to_owned(),
        );
    }
    if seal.entry.action != SEAL_ACTION || sealed_entry_hash(&seal.entry) != seal.entry.hash {
        return Err(
            "l'entrée du journal qui scelle la copie ne correspond plus à son empreinte".to_owned(),
        );
    }
    let anchor = format!("{}:{}", seal.entry.seq, seal.entry.hash);
    if seal.anchor != anchor {
        return Err("l'ancre du scellement ne correspond pas à son entrée".to_owned());
    }
    for given in anchors {
        if given.trim() != anchor {
            return Err(format!(
                "l'ancre « {} » ne désigne pas l'entrée qui scelle cette copie ({anchor})",
                given.trim()
            ));
        }
    }
    let manifest: Manifest = serde_json::from_slice(&manifest_bytes)
        .map_err(|error| format!("le manifeste est illisible : {error}"))?;
    for listed in &manifest.files {
        let bytes = read(&listed.path)?;
        if bytes.len() as u64 != listed.size || hex(&Sha256::digest(&bytes)) != listed.sha256 {
            return Err(format!(
                "« {} » ne correspond plus à son empreinte : la copie a été modifiée",
                listed.path
            ));
        }
    }
    let expected = manifest.files.len() + 2;
    if zip.len() != expected {
        return Err(format!(
            "la copie contient {} fichier(s) au lieu des {expected} que son manifeste annonce",
            zip.len()
        ));
    }
    Ok(Verified {
        files: manifest.files.len(),
        audit: manifest.audit.len(),
        anchor,
        object: seal.entry.object,
        made_at: manifest.generated_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_read_in_french() {
        assert_eq!(
            action_label("consultation_dossier"),
            "Consultation du dossier"
        );
        assert_eq!(
            action_label("habilitation_accordee"),
            "Habilitation accordee"
        );
        assert_eq!(action_label(""), "");
    }
}
