//! Sending email: one sender over lettre's SMTP (pooled) or file transport, the MIME message
//! with dermadesk's headers, templates and iCalendar attachments.

pub mod ics;
pub mod templates;

use std::{path::PathBuf, time::Duration};

use anyhow::Context;
use lettre::{
    AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{
        Attachment, Mailbox, MultiPart, SinglePart,
        header::{ContentType, Header, HeaderName, HeaderValue},
    },
    transport::smtp::{
        PoolConfig,
        authentication::Credentials,
        client::{Tls, TlsParameters},
    },
};

use crate::config::{MailSettings, MailTransportKind, SmtpTls};

/// Why a send failed, as far as retrying is concerned.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Worth retrying: 4xx replies, timeouts, refused or dropped connections.
    #[error("transient: {0}")]
    Transient(String),
    /// Retrying will not help: 5xx replies, an unusable address.
    #[error("permanent: {0}")]
    Permanent(String),
}

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    File(AsyncFileTransport<Tokio1Executor>),
}

/// The configured sender.
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
    timeout: Duration,
}

/// `X-Dermadesk-Kind`.
#[derive(Debug, Clone)]
pub struct KindHeader(pub String);

/// `X-Dermadesk-Appointment`.
#[derive(Debug, Clone)]
pub struct AppointmentHeader(pub String);

macro_rules! text_header {
    ($ty:ident, $name:literal) => {
        impl Header for $ty {
            fn name() -> HeaderName {
                HeaderName::new_from_ascii_str($name)
            }

            fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
                Ok(Self(s.to_owned()))
            }

            fn display(&self) -> HeaderValue {
                HeaderValue::new(Self::name(), self.0.clone())
            }
        }
    };
}

text_header!(KindHeader, "X-Dermadesk-Kind");
text_header!(AppointmentHeader, "X-Dermadesk-Appointment");

/// Everything one email carries.
pub struct Outgoing {
    pub to: String,
    pub message_id: String,
    pub kind: String,
    pub appointment_id: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// `(ics text, method)` when the email carries a calendar file.
    pub calendar: Option<(String, &'static str)>,
}

impl Mailer {
    /// Builds the transport from `mail.*`.
    pub fn new(settings: &MailSettings) -> anyhow::Result<Self> {
        let from: Mailbox = settings
            .from
            .parse()
            .context("configuration key `mail.from`")?;
        let transport = match settings.transport {
            MailTransportKind::File => {
                let dir = PathBuf::from(&settings.file_dir);
                std::fs::create_dir_all(&dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
                Transport::File(AsyncFileTransport::<Tokio1Executor>::new(dir))
            }
            MailTransportKind::Smtp => {
                let host = settings.smtp_host.as_str();
                let tls = match settings.smtp_tls {
                    SmtpTls::None => Tls::None,
                    SmtpTls::Starttls => Tls::Required(TlsParameters::new(host.to_owned())?),
                    SmtpTls::Tls => Tls::Wrapper(TlsParameters::new(host.to_owned())?),
                };
                let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
                    .port(settings.smtp_port)
                    .tls(tls)
                    .timeout(Some(settings.send_timeout))
                    .pool_config(PoolConfig::new().max_size(settings.pool_max_size.max(1)));
                if !settings.smtp_username.is_empty() {
                    b = b.credentials(Credentials::new(
                        settings.smtp_username.clone(),
                        settings.smtp_password.expose().to_owned(),
                    ));
                }
                Transport::Smtp(b.build())
            }
        };
        Ok(Self {
            transport,
            from,
            timeout: settings.send_timeout,
        })
    }

    /// The sender address (its domain names Message-IDs).
    pub fn from(&self) -> &Mailbox {
        &self.from
    }

    /// Builds the MIME message.
    pub fn compose(&self, out: &Outgoing) -> Result<Message, SendError> {
        let to: Mailbox = out
            .to
            .parse()
            .map_err(|e| SendError::Permanent(format!("recipient: {e}")))?;
        let alternative = MultiPart::alternative()
            .singlepart(SinglePart::plain(out.text.clone()))
            .singlepart(SinglePart::html(out.html.clone()));
        let body = match &out.calendar {
            Some((ics, method)) => {
                let ct =
                    ContentType::parse(&format!("text/calendar; charset=utf-8; method={method}"))
                        .map_err(|e| SendError::Permanent(format!("content type: {e}")))?;
                MultiPart::mixed()
                    .multipart(alternative)
                    .singlepart(Attachment::new("appointment.ics".to_owned()).body(ics.clone(), ct))
            }
            None => alternative,
        };
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(out.subject.clone())
            .message_id(Some(out.message_id.clone()))
            .header(KindHeader(out.kind.clone()))
            .header(AppointmentHeader(out.appointment_id.clone()))
            .multipart(body)
            .map_err(|e| SendError::Permanent(format!("building the message: {e}")))
    }

    /// Sends one message, bounded by `mail.send_timeout` (lettre's own timeout covers only
    /// parts of the dialogue).
    pub async fn send(&self, message: Message) -> Result<(), SendError> {
        let fut = async {
            match &self.transport {
                Transport::Smtp(t) => t.send(message).await.map(|_| ()).map_err(|e| {
                    if e.is_permanent() {
                        SendError::Permanent(e.to_string())
                    } else {
                        SendError::Transient(e.to_string())
                    }
                }),
                Transport::File(t) => t
                    .send(message)
                    .await
                    .map(|_| ())
                    .map_err(|e| SendError::Transient(e.to_string())),
            }
        };
        match tokio::time::timeout(self.timeout, fut).await {
            Ok(res) => res,
            Err(_) => Err(SendError::Transient(format!(
                "timed out after {:?}",
                self.timeout
            ))),
        }
    }
}
