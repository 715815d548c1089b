//! The operator commands behind `dermadesk <command>`.

use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow};
use uuid::Uuid;

use crate::{
    config::{MailTransportKind, Settings},
    domain::ids::PractitionerId,
    error::ApiError,
    flows::auth::{self, NewUser, Role},
    mail::{Mailer, Outgoing},
    state::AppState,
    store,
};

/// `dermadesk migrate`.
pub async fn migrate(settings: &Settings) -> anyhow::Result<()> {
    let db = store::connect(&settings.database).await?;
    store::migrate(&db).await?;
    println!("migrations applied");
    Ok(())
}

/// `dermadesk check-config`.
pub fn check_config(settings: &Settings) -> anyhow::Result<()> {
    crate::mail::templates::check().context("email templates")?;
    Mailer::new(&settings.mail)?;
    // Valid TOML that loads back to the same settings; secrets print as "[redacted]".
    println!("# effective settings (defaults, configuration files, APP__ variables)");
    print!("{}", settings.to_toml()?);
    println!("# configuration OK");
    Ok(())
}

/// `dermadesk create-staff`.
pub async fn create_staff(
    settings: Settings,
    email: String,
    role: &str,
    password: String,
    practitioner_id: Option<Uuid>,
) -> anyhow::Result<()> {
    let role = Role::parse(role)
        .ok_or_else(|| anyhow!("role must be admin, reception or practitioner"))?;
    let db = store::connect(&settings.database).await?;
    store::migrate(&db).await?;
    let state = AppState::new(db, settings);
    let id = auth::create_user(
        &state,
        NewUser {
            email,
            password,
            role,
            practitioner_id: practitioner_id.map(PractitionerId),
        },
    )
    .await
    .map_err(explain)?;
    println!("created staff user {id} ({})", role.as_str());
    Ok(())
}

/// `dermadesk demo`.
pub async fn demo(settings: Settings) -> anyhow::Result<()> {
    let db = store::connect(&settings.database).await?;
    store::migrate(&db).await?;
    let state = AppState::new(db, settings);
    crate::demo::fill(&state).await
}

/// `dermadesk send-test-email`.
pub async fn send_test_email(settings: &Settings, to: &str) -> anyhow::Result<()> {
    let mailer = Mailer::new(&settings.mail)?;
    let domain = settings
        .mail
        .from
        .rsplit_once('@')
        .map_or("dermadesk.local", |(_, d)| d.trim_end_matches('>'));
    let out = Outgoing {
        to: to.to_owned(),
        message_id: format!("<{}@{}>", Uuid::new_v4(), domain),
        kind: "test".to_owned(),
        appointment_id: "none".to_owned(),
        subject: format!("dermadesk test email from {}", settings.clinic.name),
        text: "This is a test email from dermadesk. If you can read it, sending works.".to_owned(),
        html: "<p>This is a test email from dermadesk. If you can read it, sending works.</p>"
            .to_owned(),
        calendar: None,
    };
    let message = mailer.compose(&out).map_err(|e| anyhow!("{e}"))?;
    mailer.send(message).await.map_err(|e| anyhow!("{e}"))?;
    match settings.mail.transport {
        MailTransportKind::Smtp => println!(
            "sent a test email to {to} through {}:{}",
            settings.mail.smtp_host, settings.mail.smtp_port
        ),
        MailTransportKind::File => {
            let dir = Path::new(&settings.mail.file_dir);
            match written_file(dir, &out.message_id) {
                Some(file) => println!(
                    "mail.transport is \"file\": the test email to {to} was written to {}",
                    file.display()
                ),
                None => println!(
                    "mail.transport is \"file\": the test email to {to} was written under {}",
                    dir.display()
                ),
            }
        }
    }
    Ok(())
}

/// The `.eml` file the file transport wrote for this Message-ID (lettre names it by a
/// random id of its own, so the file is found by its content).
fn written_file(dir: &Path, message_id: &str) -> Option<PathBuf> {
    let header = format!("Message-ID: {message_id}");
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .find(|p| std::fs::read_to_string(p).is_ok_and(|text| text.contains(&header)))
        .map(|p| std::path::absolute(&p).unwrap_or(p))
}

/// An API error as an operator reads it: a validation failure names each field and its rule.
fn explain(e: ApiError) -> anyhow::Error {
    match e {
        ApiError::Validation(fields) => {
            let list: Vec<String> = fields.iter().map(|(k, v)| format!("{k} {v}")).collect();
            anyhow!("validation failed: {}", list.join("; "))
        }
        other => anyhow!("{other}"),
    }
}
