//! Consent before the needle: the text a client signs (data under
//! `templates/<language>/consent/`), signing it (client link or desk), and the check-in hold
//! that `flows::lifecycle::apply` applies (`domain::consent::clears_check_in`).

use std::sync::OnceLock;

use sea_orm::ConnectionTrait;
use serde::Deserialize;
use tracing::info;
use uuid::Uuid;

use crate::{
    config::Language,
    domain::{
        consent::{self, ConsentSource, ConsentState},
        ids::AppointmentId,
        service::Service,
        status::AppointmentStatus,
        time::{from_db, to_db},
    },
    error::{ApiError, ApiResult},
    flows::{audit, manage},
    state::AppState,
    store::{
        self,
        entities::{appointment, consent as row},
    },
};

/// One consent text in one language (`templates/<language>/consent/<service>.toml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentText {
    /// Names the content; the same in every language.
    pub version: String,
    pub title: String,
    pub text: String,
}

fn source(lang: Language) -> &'static str {
    match lang {
        Language::En => include_str!("../../templates/en/consent/microneedling.toml"),
        Language::De => include_str!("../../templates/de/consent/microneedling.toml"),
    }
}

/// The consent text of `service` in `lang` (`None` for a treatment that needs none).
pub fn text(lang: Language, service: Service) -> ApiResult<Option<&'static ConsentText>> {
    if !consent::required(service) {
        return Ok(None);
    }
    static EN: OnceLock<Result<ConsentText, String>> = OnceLock::new();
    static DE: OnceLock<Result<ConsentText, String>> = OnceLock::new();
    let cell = match lang {
        Language::En => &EN,
        Language::De => &DE,
    };
    cell.get_or_init(|| {
        toml::from_str::<ConsentText>(source(lang))
            .map(|mut t| {
                t.text = t.text.trim().to_owned();
                t
            })
            .map_err(|e| format!("templates/{}/consent/microneedling.toml: {e}", lang.code()))
    })
    .as_ref()
    .map(Some)
    .map_err(|e| ApiError::Internal(anyhow::anyhow!("{e}")))
}

/// A signature as shown.
#[derive(Debug, Clone)]
pub struct Signature {
    pub at: jiff::Timestamp,
    /// The name typed; `None` after erasure.
    pub by: Option<String>,
    pub version: String,
    pub via: ConsentSource,
    pub staff_user_id: Option<Uuid>,
}

impl From<&row::Model> for Signature {
    fn from(r: &row::Model) -> Self {
        Self {
            at: from_db(r.signed_at),
            by: r.full_name.clone(),
            version: r.version.clone(),
            via: r.source,
            staff_user_id: r.staff_user_id,
        }
    }
}

/// A visit's consent: the text in force and the latest signature of its booking.
pub struct ConsentView {
    pub required: bool,
    pub version: Option<String>,
    pub title: Option<String>,
    pub text: Option<String>,
    /// The latest signature of the booking (any version: compare with `version`).
    pub signed: Option<Signature>,
    pub state: ConsentState,
}

async fn view(
    db: &impl ConnectionTrait,
    state: &AppState,
    a: &appointment::Model,
) -> ApiResult<ConsentView> {
    let t = text(state.settings.clinic.language, a.service)?;
    let rows = store::consents::of_bookings(db, &[a.booking_id]).await?;
    let current = t.map(|t| t.version.as_str()).unwrap_or_default();
    Ok(ConsentView {
        required: t.is_some(),
        version: t.map(|t| t.version.clone()),
        title: t.map(|t| t.title.clone()),
        text: t.map(|t| t.text.clone()),
        signed: rows.first().map(Signature::from),
        state: consent::state(a.service, rows.iter().map(|r| r.version.as_str()), current),
    })
}

/// The version in force for `service` (empty for a treatment that needs none).
pub fn current_version(state: &AppState, service: Service) -> ApiResult<String> {
    Ok(text(state.settings.clinic.language, service)?
        .map(|t| t.version.clone())
        .unwrap_or_default())
}

/// The consent of a visit the client's credential opens.
pub async fn for_client(
    state: &AppState,
    token: Option<String>,
    id: AppointmentId,
) -> ApiResult<ConsentView> {
    let a = manage::authorize(state, token, id).await?;
    view(&state.db, state, &a).await
}

/// The consent of a visit, for the desk.
pub async fn for_staff(state: &AppState, id: AppointmentId) -> ApiResult<ConsentView> {
    let a = store::appointments::find(&state.db, id.0)
        .await?
        .ok_or(ApiError::NotFound)?;
    view(&state.db, state, &a).await
}

/// The client signs on the manage page (manage token or an email link's secret).
pub async fn sign_as_client(
    state: &AppState,
    token: Option<String>,
    id: AppointmentId,
    full_name: &str,
    agree: bool,
) -> ApiResult<(ConsentView, bool)> {
    // Authorised before the body is checked, so a stranger learns nothing.
    manage::authorize(state, token, id).await?;
    sign(state, id, full_name, agree, audit::Actor::Client).await
}

/// Records a signature of the current version for the visit's booking. Returns the consent and
/// whether a new signature was made: signing a version the booking already holds changes
/// nothing and answers with the first signature (a signature is never updated).
pub async fn sign(
    state: &AppState,
    id: AppointmentId,
    full_name: &str,
    agree: bool,
    by: audit::Actor,
) -> ApiResult<(ConsentView, bool)> {
    let name = consent::check_signature(full_name, agree).map_err(ApiError::Validation)?;
    let now = state.now();
    let tx = store::begin_write(&state.db).await?;
    let a = store::appointments::find(&tx, id.0)
        .await?
        .ok_or(ApiError::NotFound)?;
    let Some(t) = text(state.settings.clinic.language, a.service)? else {
        return Err(ApiError::Conflict(
            "this treatment needs no consent (a skin consultation)".into(),
        ));
    };
    // The client signs before the visit; the desk until it ends (the client is there).
    let (source, staff, open) = match by {
        audit::Actor::Client => (
            ConsentSource::ClientLink,
            None,
            a.status == AppointmentStatus::Booked && now < from_db(a.starts_at),
        ),
        audit::Actor::Staff(u) => (
            ConsentSource::Desk,
            Some(u.0),
            matches!(
                a.status,
                AppointmentStatus::Booked | AppointmentStatus::CheckedIn
            ) && now < from_db(a.ends_at),
        ),
    };
    if !open {
        return Err(ApiError::Conflict(
            "consent is signed before the visit: this visit is no longer open for it".into(),
        ));
    }
    let created = store::consents::insert(
        &tx,
        row::Model {
            id: Uuid::new_v4(),
            booking_id: a.booking_id,
            appointment_id: a.id,
            client_id: a.client_id,
            service: a.service,
            version: t.version.clone(),
            full_name: Some(name),
            source,
            staff_user_id: staff,
            signed_at: to_db(now),
        },
    )
    .await?;
    if created {
        let detail = serde_json::json!({ "version": t.version, "via": source.as_str() });
        audit::record(
            &tx,
            state,
            by,
            "consent.sign",
            "appointment",
            a.id,
            Some(detail),
        )
        .await?;
    }
    let v = view(&tx, state, &a).await?;
    tx.commit().await?;
    if created {
        info!(appointment_id = %id, version = %t.version, via = source.as_str(), "consent signed");
    }
    Ok((v, created))
}

/// The consent hold on check-in: a microneedling visit needs a signature of the current
/// version for its booking (`domain::consent::clears_check_in`, 409 `consent_missing`).
pub async fn check_in_hold(
    db: &impl ConnectionTrait,
    state: &AppState,
    a: &appointment::Model,
) -> ApiResult<()> {
    if !consent::required(a.service) {
        return Ok(());
    }
    let current = current_version(state, a.service)?;
    let rows = store::consents::of_bookings(db, &[a.booking_id]).await?;
    let st = consent::state(a.service, rows.iter().map(|r| r.version.as_str()), &current);
    consent::clears_check_in(st).map_err(|m| ApiError::ConsentMissing(m.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every language has the text, with the same version, naming the risks and aftercare.
    #[test]
    fn every_language_has_the_same_version() {
        let en = text(Language::En, Service::Microneedling).unwrap().unwrap();
        let de = text(Language::De, Service::Microneedling).unwrap().unwrap();
        assert_eq!(en.version, de.version);
        assert!(en.text.contains("Risks") && en.text.contains("Aftercare"));
        assert!(de.text.contains("Risiken") && de.text.contains("Nachsorge"));
        assert!(!de.text.contains(" du ") && !de.text.contains(" Du "));
        assert!(
            text(Language::En, Service::SkinConsultation)
                .unwrap()
                .is_none()
        );
    }
}
