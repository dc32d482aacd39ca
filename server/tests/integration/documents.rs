//! The documents the platform hands out, as downloaded: the terms of use read back as text, in
//! the bundled free font; Marianne only for a State deployment that provides its files, and a
//! State deployment that names a folder without them does not start.

use std::path::Path;
use std::process::Command;

use app::domain::cgu;
use app::store::Backend;
use server::Server;

use crate::accounts::Browser;
use crate::helpers::{config, fresh_database, Running};

/// The fonts `pdffonts` lists in the terms of use a server hands out.
async fn cgu_fonts(browser: &Browser) -> String {
    let file = std::env::temp_dir().join(format!("sesame-cgu-{}.pdf", uuid::Uuid::new_v4()));
    std::fs::write(&file, browser.bytes("/cgu.pdf").await).unwrap();
    let output = Command::new("pdffonts")
        .arg(&file)
        .output()
        .expect("pdffonts (poppler-utils), que la commande de test installe");
    std::fs::remove_file(&file).ok();
    String::from_utf8(output.stdout).unwrap()
}

/// A folder holding "Marianne" files: Debian's DejaVu fonts stand in for the State's.
fn marianne_folder() -> std::path::PathBuf {
    let folder = std::env::temp_dir().join(format!("sesame-marianne-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&folder).unwrap();
    let dejavu = Path::new("/usr/share/fonts/truetype/dejavu");
    std::fs::copy(
        dejavu.join("DejaVuSans.ttf"),
        folder.join("Marianne-Regular.ttf"),
    )
    .unwrap();
    std::fs::copy(
        dejavu.join("DejaVuSans-Bold.ttf"),
        folder.join("Marianne-Bold.ttf"),
    )
    .unwrap();
    folder
}

#[tokio::test]
async fn the_terms_of_use_read_back_as_written_in_the_free_font() {
    let Some(url) = fresh_database(Backend::Sqlite).await else {
        return;
    };
    let mut config = config(url);
    // Outside the State, Marianne files are not used even when given.
    config.marianne_folder = Some(marianne_folder());
    let server = Running::start(&config).await;
    let stranger = Browser::new(&server);
    let answer = stranger.get("/cgu.pdf").await;
    assert_eq!(answer.status.as_u16(), 200);
    assert_eq!(answer.headers["content-type"], "application/pdf");
    assert!(answer.headers["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment; filename=\"cgu-france-sesame-"));
    let text = stranger.pdf_text("/cgu.pdf").await;
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in [
        cgu::TITLE.to_owned(),
        format!("France Sésame — {}", cgu::VERSION_LABEL),
        cgu::SECTIONS[0].heading.to_owned(),
    ] {
        assert!(flat.contains(&expected), "« {expected} » : {flat}");
    }
    let fonts = cgu_fonts(&stranger).await;
    assert!(fonts.contains("LiberationSans"), "{fonts}");
    assert!(!fonts.contains("DejaVu"), "{fonts}");
    server.stop().await;
}

#[tokio::test]
async fn a_state_deployment_sets_its_documents_in_the_files_it_provides() {
    let Some(url) = fresh_database(Backend::Sqlite).await else {
        return;
    };
    let mut config = config(url);
    config.state_deployment = true;
    config.marianne_folder = Some(marianne_folder());
    let server = Running::start(&config).await;
    let fonts = cgu_fonts(&Browser::new(&server)).await;
    assert!(fonts.contains("DejaVuSans"), "{fonts}");
    assert!(!fonts.contains("Liberation"), "{fonts}");
    server.stop().await;

    // A folder without the files stops the start, saying what is missing.
    let Some(url) = fresh_database(Backend::Sqlite).await else {
        return;
    };
    let mut config = crate::helpers::config(url);
    config.state_deployment = true;
    let empty = std::env::temp_dir().join(format!("sesame-vide-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&empty).unwrap();
    config.marianne_folder = Some(empty);
    let error = Server::build(&config)
        .await
        .err()
        .expect("refusé")
        .to_string();
    assert!(error.contains("Marianne-Regular.otf"), "{error}");
}
