//! Session records (treatment notes) of microneedling visits: written by practitioners and
//! admins once a visit is checked in, read by staff, every read audited (`notes.view`). Health
//! data: the contents never reach a log line or an audit detail.

use tracing::info;
use uuid::Uuid;

use crate::{
    domain::{
        ids::{AppointmentId, BookingId, StaffUserId},
        notes::{self, Area, NotesInput},
        status::AppointmentStatus,
        time::{from_db, to_db},
    },
    error::{ApiError, ApiResult},
    flows::audit::{self, Actor},
    state::AppState,
    store::{
        self,
        entities::{appointment, session_note},
    },
};

/// A session record as shown.
#[derive(Debug, Clone)]
pub struct NotesView {
    pub appointment_id: Uuid,
    pub needle_depth_mm: f64,
    pub areas: Vec<Area>,
    pub product: Option<String>,
    pub numbing: Option<String>,
    pub reaction: Option<String>,
    pub notes: Option<String>,
    pub recorded_by: Option<Uuid>,
    pub created_at: jiff::Timestamp,
    pub updated_at: jiff::Timestamp,
}

impl NotesView {
    fn try_from_row(r: &session_note::Model) -> ApiResult<Self> {
        let areas: Vec<Area> = serde_json::from_str(&r.areas)
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("stored areas: {e}")))?;
        Ok(Self {
            appointment_id: r.appointment_id,
            needle_depth_mm: f64::from(r.needle_depth_hundredths) / 100.0,
            areas,
            product: r.product.clone(),
            numbing: r.numbing.clone(),
            reaction: r.reaction.clone(),
            notes: r.notes.clone(),
            recorded_by: r.recorded_by,
            created_at: from_db(r.created_at),
            updated_at: from_db(r.updated_at),
        })
    }
}

/// Writes (or replaces) the record of visit `id`: 422 for a bad record, 409 for a visit that
/// cannot have one (not microneedling, not checked in or completed). Audited `notes.write`.
pub async fn write(
    state: &AppState,
    by: StaffUserId,
    id: AppointmentId,
    input: &NotesInput,
) -> ApiResult<NotesView> {
    let n = notes::check(input).map_err(ApiError::Validation)?;
    let now = to_db(state.now());
    let tx = store::begin_write(&state.db).await?;
    let a = store::appointments::find(&tx, id.0)
        .await?
        .ok_or(ApiError::NotFound)?;
    if let Some(why) = notes::refusal(a.service, a.status) {
        return Err(ApiError::Conflict(why.into()));
    }
    let existing = store::notes::of_appointment(&tx, a.id).await?;
    let areas = serde_json::to_string(&n.areas)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("areas: {e}")))?;
    let row = session_note::Model {
        appointment_id: a.id,
        booking_id: a.booking_id,
        client_id: a.client_id,
        needle_depth_hundredths: n.needle_depth_hundredths,
        areas,
        product: n.product,
        numbing: n.numbing,
        reaction: n.reaction,
        notes: n.notes,
        recorded_by: Some(by.0),
        created_at: existing.as_ref().map_or(now, |e| e.created_at),
        updated_at: now,
    };
    store::notes::upsert(&tx, row.clone()).await?;
    let detail = serde_json::json!({ "replaced": existing.is_some() });
    audit::record(
        &tx,
        state,
        Actor::Staff(by),
        "notes.write",
        "appointment",
        a.id,
        Some(detail),
    )
    .await?;
    tx.commit().await?;
    // Ids only: the record is health data.
    info!(appointment_id = %id, "session record written");
    NotesView::try_from_row(&row)
}

/// The record of visit `id` (404 when the visit or its record does not exist). Audited
/// `notes.view`.
pub async fn read(state: &AppState, by: StaffUserId, id: AppointmentId) -> ApiResult<NotesView> {
    let row = store::notes::of_appointment(&state.db, id.0)
        .await?
        .ok_or(ApiError::NotFound)?;
    audit::record(
        &state.db,
        state,
        Actor::Staff(by),
        "notes.view",
        "appointment",
        id.0,
        None,
    )
    .await?;
    NotesView::try_from_row(&row)
}

/// One session of a course with its record.
pub struct CourseSession {
    pub appointment: appointment::Model,
    pub status: AppointmentStatus,
    pub notes: Option<NotesView>,
}

/// A course's history: every session by number with its record (`None` where none was
/// written). 404 for an unknown course. Audited once, `notes.view` on the course.
pub async fn course(
    state: &AppState,
    by: StaffUserId,
    course: BookingId,
) -> ApiResult<Vec<CourseSession>> {
    let rows = store::appointments::of_booking(&state.db, course.0).await?;
    if rows.is_empty() {
        return Err(ApiError::NotFound);
    }
    let notes = store::notes::of_booking(&state.db, course.0).await?;
    let shown = notes.len();
    audit::record(
        &state.db,
        state,
        Actor::Staff(by),
        "notes.view",
        "booking",
        course.0,
        Some(serde_json::json!({ "records": shown })),
    )
    .await?;
    rows.into_iter()
        .map(|a| {
            let n = notes
                .iter()
                .find(|n| n.appointment_id == a.id)
                .map(NotesView::try_from_row)
                .transpose()?;
            Ok(CourseSession {
                status: a.status,
                notes: n,
                appointment: a,
            })
        })
        .collect()
}
