//! The operator commands behind `dermadesk <command>`.

use anyhow::{Context, anyhow};
use uuid::Uuid;

use crate::{
    config::Settings,
    domain::ids::PractitionerId,
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
    // Debug output redacts secrets (database URL, SMTP password).
    println!("{settings:#?}");
    println!("configuration OK");
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
    .map_err(|e| anyhow!("{e}"))?;
    println!("created staff user {id} ({})", role.as_str());
    Ok(())
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
    println!("sent a test email to {to}");
    Ok(())
}
