//! A real ClamAV daemon from Debian's packages (`clamd`), started by the tests with a signature
//! database they write: the EICAR test string, found anywhere in any file. The test command
//! installs the package; without it, the tests that need it are skipped loudly (a failure under
//! CI).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The EICAR test file: 68 bytes every antivirus recognises, harmless.
pub const EICAR: &[u8] = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

/// The name the signature database gives the EICAR string.
pub const THREAT: &str = "Sesame.Test.EICAR";

pub struct Clamd {
    child: Child,
    folder: PathBuf,
    binary: PathBuf,
    /// The address the platform is configured with (`unix:/…/clamd.sock`).
    pub address: String,
}

impl Clamd {
    /// Stops the daemon as an outage would, keeping its folder: nobody answers at its address.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(self.folder.join("clamd.sock"));
    }

    /// Starts it again at the same address, once its database is loaded.
    pub async fn restart(&mut self) {
        self.child = spawn(&self.binary, &self.folder);
        ready(&self.folder).await;
    }
}

fn spawn(binary: &PathBuf, folder: &std::path::Path) -> Child {
    Command::new(binary)
        .arg("-c")
        .arg(folder.join("clamd.conf"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("clamd démarre")
}

/// Waits until the daemon of `folder` answers PING (its database loaded).
async fn ready(folder: &std::path::Path) {
    let socket = folder.join("clamd.sock");
    for _ in 0..600 {
        if let Ok(mut stream) = tokio::net::UnixStream::connect(&socket).await {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            if stream.write_all(b"zPING\0").await.is_ok() {
                let mut answer = [0u8; 5];
                if stream.read_exact(&mut answer).await.is_ok() && &answer == b"PONG\0" {
                    return;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let log = std::fs::read_to_string(folder.join("clamd.log")).unwrap_or_default();
    panic!("clamd n'a pas démarré en 60 s :\n{log}");
}

impl Drop for Clamd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

fn binary() -> Option<PathBuf> {
    ["/usr/sbin/clamd", "/usr/bin/clamd"]
        .into_iter()
        .map(PathBuf::from)
        .find(|path| path.is_file())
}

/// Starts clamd on a socket of its own, once its database is loaded; `None` when clamd is not
/// installed outside CI.
pub async fn start() -> Option<Clamd> {
    let Some(binary) = binary() else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("clamd introuvable : sous CI, les tests de l'antivirus ne peuvent pas être sautés (paquet clamav-daemon)");
        }
        eprintln!("!!! clamd absent (paquet clamav-daemon) : test de l'antivirus SAUTÉ");
        return None;
    };
    let folder =
        std::env::temp_dir().join(format!("sesame-clamd-{}", uuid::Uuid::new_v4().simple()));
    let database = folder.join("base");
    std::fs::create_dir_all(&database).unwrap();
    let hex: String = EICAR.iter().map(|byte| format!("{byte:02x}")).collect();
    // A body signature (`.ndb`): the string at any offset of any type of file.
    std::fs::write(
        database.join("sesame-test.ndb"),
        format!("{THREAT}:0:*:{hex}\n"),
    )
    .unwrap();
    let socket = folder.join("clamd.sock");
    let settings = folder.join("clamd.conf");
    std::fs::write(
        &settings,
        format!(
            "Foreground yes\nDatabaseDirectory {}\nLocalSocket {}\nTemporaryDirectory {}\nLogFile {}\nStreamMaxLength 40M\nMaxThreads 2\nBytecode no\n",
            database.display(),
            socket.display(),
            folder.display(),
            folder.join("clamd.log").display(),
        ),
    )
    .unwrap();
    let clamd = Clamd {
        child: spawn(&binary, &folder),
        address: format!("unix:{}", socket.display()),
        folder,
        binary,
    };
    ready(&clamd.folder).await;
    Some(clamd)
}
