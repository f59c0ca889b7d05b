//! A TCP proxy in front of the emulator that can stop answering: what a
//! dead VPN or a silent endpoint looks like to the app, or a call that
//! reached AWS whose answer never came back.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Default)]
struct Switches {
    /// Nothing more is forwarded, on any connection.
    stalled: AtomicBool,
    /// A request holding this text is forwarded, but its answer is dropped.
    lose_answer_to: Mutex<Option<String>>,
    /// Every byte sent upstream, for tests that read what went on the wire.
    sent: Mutex<Vec<u8>>,
}

pub struct Proxy {
    pub url: String,
    switches: Arc<Switches>,
}

impl Proxy {
    /// From now on, requests (on new and on kept-alive connections) get no answer.
    pub fn stall(&self) {
        self.switches.stalled.store(true, Ordering::SeqCst);
    }

    /// The next request whose bytes hold `marker` reaches the emulator, but
    /// its answer (and all after it on that connection) is never delivered.
    pub fn lose_answer_to(&self, marker: &str) {
        *self.switches.lose_answer_to.lock().expect("lock") = Some(marker.to_string());
    }

    /// Everything sent through the proxy so far, as text.
    pub fn sent(&self) -> String {
        String::from_utf8_lossy(&self.switches.sent.lock().expect("lock")).into_owned()
    }

    pub fn heal(&self) {
        self.switches.stalled.store(false, Ordering::SeqCst);
        *self.switches.lose_answer_to.lock().expect("lock") = None;
    }
}

/// Listens on a free loopback port and forwards to `upstream` (`http://host:port`).
pub async fn proxy(upstream: &str) -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let upstream = upstream.trim_start_matches("http://").to_string();
    let switches = Arc::new(Switches::default());
    let shared = switches.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let (upstream, switches) = (upstream.clone(), shared.clone());
            tokio::spawn(async move {
                if let Ok(server) = TcpStream::connect(&upstream).await {
                    relay(client, server, switches).await;
                }
            });
        }
    });
    Proxy { url, switches }
}

async fn relay(client: TcpStream, server: TcpStream, switches: Arc<Switches>) {
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let deaf = AtomicBool::new(false);
    let upward = async {
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            let n = match client_read.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            if switches.stalled.load(Ordering::SeqCst) {
                continue;
            }
            switches
                .sent
                .lock()
                .expect("lock")
                .extend_from_slice(&buffer[..n]);
            let text = String::from_utf8_lossy(&buffer[..n]);
            let lose = switches
                .lose_answer_to
                .lock()
                .expect("lock")
                .as_deref()
                .is_some_and(|marker| text.contains(marker));
            if lose {
                deaf.store(true, Ordering::SeqCst);
            }
            if server_write.write_all(&buffer[..n]).await.is_err() {
                return;
            }
        }
    };
    let downward = async {
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            let n = match server_read.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            if deaf.load(Ordering::SeqCst) {
                continue;
            }
            if client_write.write_all(&buffer[..n]).await.is_err() {
                return;
            }
        }
    };
    tokio::join!(upward, downward);
}
