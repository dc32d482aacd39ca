//! How an instance stops without dropping a request that already reached it. Behind a load
//! balancer, a connection may have been taken by the kernel (its handshake done, waiting in the
//! listening socket's queue) or accepted an instant before SIGTERM with its request not yet read.
//! Closing the socket then resets the first, and a graceful shutdown closes the second unanswered:
//! the client sees "connexion interrompue" for a request it had every reason to think delivered.
//!
//! So a stop goes in two steps. At once, the listener takes what waits in the queue, without
//! waiting for more, and closes: a new connection is refused and the balancer sends it to another
//! instance. Then, after [`LINGER`], the connections are told to finish: each one serves the
//! request it carries, without keep-alive, and closes.

use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// How long the connections taken last have to send their request before they are told to finish.
pub const LINGER: Duration = Duration::from_secs(1);

/// The site's listener: accepts until told to stop, then hands over what waited and closes.
pub struct Listener {
    listening: Option<TcpListener>,
    waiting: VecDeque<(TcpStream, SocketAddr)>,
    addr: SocketAddr,
    /// `None` once whoever could stop the server is gone: it then accepts on.
    stop: Option<watch::Receiver<bool>>,
}

impl Listener {
    pub fn new(listener: TcpListener, stop: watch::Receiver<bool>) -> io::Result<Listener> {
        Ok(Listener {
            addr: listener.local_addr()?,
            listening: Some(listener),
            waiting: VecDeque::new(),
            stop: Some(stop),
        })
    }

    /// Takes every connection the kernel holds for the socket, without waiting, then closes it.
    fn close(&mut self) {
        let Some(listener) = self.listening.take() else {
            return;
        };
        // A direct accept on the socket: the runtime's readiness may not have seen the latest.
        let listener = match listener.into_std() {
            Ok(listener) => listener,
            Err(error) => {
                tracing::warn!(%error, "file d'attente des connexions illisible à l'arrêt");
                return;
            }
        };
        loop {
            match listener.accept() {
                Ok((stream, peer)) => {
                    let taken = stream
                        .set_nonblocking(true)
                        .and_then(|()| TcpStream::from_std(stream));
                    match taken {
                        Ok(stream) => self.waiting.push_back((stream, peer)),
                        Err(error) => tracing::warn!(%error, "connexion en attente perdue"),
                    }
                }
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => break,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => {
                    tracing::debug!(%error, "connexion en attente refusée à l'arrêt");
                    continue;
                }
            }
        }
        tracing::info!(
            connexions = self.waiting.len(),
            "plus aucune connexion acceptée"
        );
    }
}

impl axum::serve::Listener for Listener {
    type Io = TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (TcpStream, SocketAddr) {
        loop {
            if self.stop.as_ref().is_some_and(|stop| *stop.borrow()) {
                self.close();
            }
            let Some(listener) = &self.listening else {
                match self.waiting.pop_front() {
                    Some(connection) => return connection,
                    None => std::future::pending().await,
                }
            };
            let accepted = match self.stop.as_mut() {
                None => listener.accept().await,
                Some(stop) => tokio::select! {
                    accepted = listener.accept() => accepted,
                    changed = stop.changed() => {
                        if changed.is_err() {
                            // Whoever could stop the server is gone: it accepts on.
                            self.stop = None;
                        }
                        continue;
                    }
                },
            };
            match accepted {
                Ok(connection) => return connection,
                // Out of descriptors, or a connection gone before it was taken: as axum does, a
                // pause, then on.
                Err(error) => {
                    tracing::debug!(%error, "connexion non acceptée");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.addr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::serve::Listener as _;

    #[tokio::test]
    async fn a_stop_hands_over_the_waiting_connections_then_refuses_new_ones() {
        let bound = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = bound.local_addr().unwrap();
        let (stop, watching) = watch::channel(false);
        let mut listener = Listener::new(bound, watching).unwrap();
        // Two clients whose handshake the kernel completed, not yet accepted.
        let clients = [
            TcpStream::connect(addr).await.unwrap(),
            TcpStream::connect(addr).await.unwrap(),
        ];
        let clients: Vec<SocketAddr> = clients.iter().map(|c| c.local_addr().unwrap()).collect();
        stop.send(true).unwrap();
        let mut handed = Vec::new();
        for _ in 0..2 {
            let (_, peer) = tokio::time::timeout(Duration::from_secs(2), listener.accept())
                .await
                .expect("a waiting connection is handed over after the stop");
            handed.push(peer);
        }
        handed.sort();
        let mut expected = clients.clone();
        expected.sort();
        assert_eq!(handed, expected);
        assert!(
            TcpStream::connect(addr).await.is_err(),
            "once stopped, a new connection is refused (a balancer sends it elsewhere)"
        );
        assert!(
            tokio::time::timeout(Duration::from_millis(200), listener.accept())
                .await
                .is_err(),
            "nothing more to hand over"
        );
    }
}
