//! A real SMTP server inside the test process (mailin-embedded), with switchable failure modes,
//! and a parser for what it received.

use std::{
    net::TcpListener,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU8, Ordering},
    },
    time::Duration,
};

use mail_parser::MimeHeaders;
use mailin_embedded::{Handler, Server, response};

/// How the sink answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Mode {
    Accept = 0,
    /// 421 at greeting: "service not available" (transient).
    Down = 1,
    /// 554 at DATA (permanent).
    Reject = 2,
}

/// One received email.
#[derive(Debug, Clone)]
pub struct Received {
    pub to: Vec<String>,
    pub raw: Vec<u8>,
}

impl Received {
    pub fn parsed(&self) -> mail_parser::Message<'_> {
        mail_parser::MessageParser::default()
            .parse(&self.raw)
            .expect("parseable email")
    }

    pub fn header(&self, name: &str) -> String {
        self.parsed()
            .header_raw(name)
            .unwrap_or_default()
            .trim()
            .to_owned()
    }

    pub fn kind(&self) -> String {
        self.header("X-Dermadesk-Kind")
    }

    pub fn message_id(&self) -> String {
        self.parsed().message_id().unwrap_or_default().to_owned()
    }

    pub fn text(&self) -> String {
        self.parsed()
            .body_text(0)
            .map(|t| t.into_owned())
            .unwrap_or_default()
    }

    pub fn html(&self) -> String {
        self.parsed()
            .body_html(0)
            .map(|t| t.into_owned())
            .unwrap_or_default()
    }

    pub fn subject(&self) -> String {
        self.parsed().subject().unwrap_or_default().to_owned()
    }

    /// The text of the .ics attachment, if any.
    pub fn ics(&self) -> Option<String> {
        let m = self.parsed();
        m.attachments()
            .find(|a| a.is_content_type("text", "calendar"))
            .map(|a| String::from_utf8_lossy(a.contents()).into_owned())
    }
}

#[derive(Default)]
struct Shared {
    mails: Mutex<Vec<Received>>,
    mode: AtomicU8,
}

/// A running sink.
#[derive(Clone)]
pub struct Sink {
    shared: Arc<Shared>,
    pub port: u16,
}

#[derive(Clone)]
struct Conn {
    shared: Arc<Shared>,
    to: Vec<String>,
    data: Vec<u8>,
}

impl Handler for Conn {
    fn helo(&mut self, _ip: std::net::IpAddr, _domain: &str) -> response::Response {
        if self.shared.mode.load(Ordering::SeqCst) == Mode::Down as u8 {
            return response::NO_SERVICE;
        }
        response::OK
    }

    fn data_start(
        &mut self,
        _domain: &str,
        _from: &str,
        _is8bit: bool,
        to: &[String],
    ) -> response::Response {
        if self.shared.mode.load(Ordering::SeqCst) == Mode::Reject as u8 {
            return response::TRANSACTION_FAILED;
        }
        self.to = to.to_vec();
        self.data.clear();
        response::START_DATA
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> response::Response {
        self.shared.mails.lock().unwrap().push(Received {
            to: std::mem::take(&mut self.to),
            raw: std::mem::take(&mut self.data),
        });
        response::OK
    }
}

impl Sink {
    /// Starts a sink on a free loopback port (it runs until the test process ends).
    pub fn start() -> Sink {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind sink");
        Self::start_on(listener)
    }

    /// Starts a sink on this listener.
    pub fn start_on(listener: TcpListener) -> Sink {
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Shared::default());
        let conn = Conn {
            shared: shared.clone(),
            to: vec![],
            data: vec![],
        };
        std::thread::spawn(move || {
            let mut server = Server::new(conn);
            server
                .with_name("sink.test")
                .with_num_threads(64)
                .with_tcp_listener(listener);
            let _ = server.serve();
        });
        Sink { shared, port }
    }

    pub fn set_mode(&self, mode: Mode) {
        self.shared.mode.store(mode as u8, Ordering::SeqCst);
    }

    pub fn mails(&self) -> Vec<Received> {
        self.shared.mails.lock().unwrap().clone()
    }

    pub fn of_kind(&self, kind: &str) -> Vec<Received> {
        self.mails()
            .into_iter()
            .filter(|m| m.kind() == kind)
            .collect()
    }

    /// Waits until at least `n` mails arrived (or the timeout passes) and returns them.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let end = tokio::time::Instant::now() + timeout;
        loop {
            let mails = self.mails();
            if mails.len() >= n || tokio::time::Instant::now() > end {
                return mails;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
