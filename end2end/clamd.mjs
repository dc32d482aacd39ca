/**
 * ClamAV's daemon for the end-to-end tests: Debian's clamd (package clamav-daemon, installed by
 * the test command) on a TCP port of the loopback, with a signature database written here (the
 * EICAR test string, found anywhere in any file) instead of the public one, so that the run
 * needs no network and knows what is a threat.
 *
 *   node clamd.mjs --port 3105 --folder /tmp/…
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const argument = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1] : fallback;
};
const port = argument("port", "3105");
const folder = path.resolve(argument("folder", "../target/e2e/clamd"));
const database = path.join(folder, "base");
fs.mkdirSync(database, { recursive: true });

const EICAR = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
fs.writeFileSync(path.join(database, "sesame-test.ndb"), `Sesame.Test.EICAR:0:*:${Buffer.from(EICAR).toString("hex")}\n`);
const settings = path.join(folder, "clamd.conf");
fs.writeFileSync(
  settings,
  [
    "Foreground yes",
    `DatabaseDirectory ${database}`,
    `TCPSocket ${port}`,
    "TCPAddr 127.0.0.1",
    `TemporaryDirectory ${folder}`,
    `LogFile ${path.join(folder, "clamd.log")}`,
    "StreamMaxLength 40M",
    "MaxThreads 2",
    "Bytecode no",
    "",
  ].join("\n"),
);

const binary = ["/usr/sbin/clamd", "/usr/bin/clamd"].find((candidate) => fs.existsSync(candidate));
if (!binary) {
  console.error("clamd introuvable (paquet clamav-daemon) : la commande de test l'installe.");
  process.exit(1);
}
const clamd = spawn(binary, ["-c", settings], { stdio: ["ignore", "ignore", "inherit"] });
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => clamd.kill(signal));
}
clamd.on("exit", (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
