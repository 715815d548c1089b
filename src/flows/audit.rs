//! The audit log: who did what to which appointment, screening or client, and when. Written in
//! the same transaction as the action. Details never carry health answers or contact data.

use sea_orm::ConnectionTrait;
use serde_json::Value;
use uuid::Uuid;

use crate::{
    domain::{
        audit::{CalendarView, calendar_view_is_new},
        ids::StaffUserId,
        time::{sdur, to_db},
    },
    error::{ApiError, ApiResult},
    state::AppState,
    store::{self, entities::audit_log},
};

/// Who acted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Staff(StaffUserId),
    /// A client, through the manage token of their booking.
    Client,
}

/// Appends one entry.
pub async fn record(
    db: &impl ConnectionTrait,
    state: &AppState,
    actor: Actor,
    action: &str,
    subject_type: &str,
    subject_id: Uuid,
    detail: Option<Value>,
) -> ApiResult<()> {
    let e = entry(state, actor, action, subject_type, subject_id, detail);
    store::audit::insert(db, e, &[]).await?;
    Ok(())
}

/// Appends one entry of a read that showed these clients' details beside its subject (a
/// calendar, a search, a list): each is written to `audit_mentions` in the entry's
/// transaction, so the log's client filter (`About::Client`) finds the entry.
pub async fn record_showing(
    state: &AppState,
    actor: Actor,
    (action, subject_type, subject_id): (&str, &str, Uuid),
    detail: Value,
    clients: &[Uuid],
) -> ApiResult<()> {
    let e = entry(state, actor, action, subject_type, subject_id, Some(detail));
    let tx = store::begin_write(&state.db).await?;
    store::audit::insert(&tx, e, clients).await?;
    tx.commit().await?;
    Ok(())
}

fn entry(
    state: &AppState,
    actor: Actor,
    action: &str,
    subject_type: &str,
    subject_id: Uuid,
    detail: Option<Value>,
) -> audit_log::Model {
    let (actor_user_id, actor) = match actor {
        Actor::Staff(id) => (Some(id.0), "staff"),
        Actor::Client => (None, "client"),
    };
    audit_log::Model {
        id: Uuid::new_v4(),
        at: to_db(state.now()),
        actor_user_id,
        actor: actor.to_owned(),
        action: action.to_owned(),
        subject_type: subject_type.to_owned(),
        subject_id,
        detail: detail.map(|d| d.to_string()),
    }
}

/// The action of a calendar read.
pub const CALENDAR_VIEW: &str = "calendar.view";

/// Records a calendar read as `calendar.view` (the range, the number of appointments, the ids
/// of the clients whose contact data it showed), unless the same user's reads audited within
/// `desk.view_audit_window` already cover it (`domain::audit::calendar_view_is_new`). Returns
/// whether a row was written.
pub async fn record_calendar_view(
    state: &AppState,
    staff: StaffUserId,
    view: &CalendarView,
    appointments: usize,
) -> ApiResult<bool> {
    let window = state.settings.desk.view_audit_window;
    if !window.is_zero() {
        let since = to_db(state.now() - sdur(window));
        let recent: Vec<CalendarView> =
            store::audit::recent_of(&state.db, staff.0, CALENDAR_VIEW, since)
                .await?
                .iter()
                .filter_map(stored_view)
                .collect();
        if !calendar_view_is_new(&recent, view) {
            return Ok(false);
        }
    }
    let clients: Vec<Uuid> = view.clients.iter().copied().collect();
    record_showing(
        state,
        Actor::Staff(staff),
        (
            CALENDAR_VIEW,
            "calendar",
            view.practitioner.unwrap_or(Uuid::nil()),
        ),
        serde_json::json!({
            "from": view.from.to_string(),
            "to": view.to.to_string(),
            "appointments": appointments,
            "clients": view.clients,
        }),
        &clients,
    )
    .await?;
    Ok(true)
}

/// A stored `calendar.view` row read back (a row that does not parse covers nothing).
fn stored_view(row: &audit_log::Model) -> Option<CalendarView> {
    let detail: Value = serde_json::from_str(row.detail.as_deref()?).ok()?;
    let date = |k: &str| detail[k].as_str()?.parse().ok();
    let clients = detail["clients"]
        .as_array()?
        .iter()
        .map(|c| c.as_str()?.parse().ok())
        .collect::<Option<_>>()?;
    Some(CalendarView {
        from: date("from")?,
        to: date("to")?,
        practitioner: (!row.subject_id.is_nil()).then_some(row.subject_id),
        clients,
    })
}

/// Whose history a page of the log shows.
#[derive(Debug, Clone, Copy)]
pub enum About {
    Everything,
    /// Entries whose subject is exactly this id.
    Subject(Uuid),
    /// A client's history: the client, their visits, bookings and screenings, and every read
    /// that showed the client (calendar views, searches, alert lists: `audit_mentions`).
    Client(Uuid),
    /// A visit's history: the visit, its booking, its screening and re-confirmation.
    Visit(Uuid),
}

/// A page of the log, newest first: `limit` entries about `about`, older than the entry
/// `before` (an unknown entry is a 422 naming `before`), calendar views left out unless
/// `views`.
pub async fn page(
    state: &AppState,
    about: About,
    views: bool,
    before: Option<Uuid>,
    limit: u64,
) -> ApiResult<Vec<audit_log::Model>> {
    let db = &state.db;
    let before = match before {
        None => None,
        Some(id) => {
            let e = store::audit::entry(db, id)
                .await?
                .ok_or_else(|| ApiError::invalid("before", "no audit entry with this id"))?;
            Some((e.at, e.id))
        }
    };
    let subjects = match about {
        About::Everything => None,
        About::Subject(id) => Some(vec![id]),
        About::Client(id) => Some(store::audit::client_subjects(db, id).await?),
        About::Visit(id) => Some(store::audit::visit_subjects(db, id).await?),
    };
    let page = store::audit::Page {
        subjects,
        mentioning: match about {
            About::Client(id) => Some(id),
            _ => None,
        },
        without_action: (!views).then_some(CALENDAR_VIEW),
        before,
        limit,
    };
    Ok(store::audit::page(db, &page).await?)
}
