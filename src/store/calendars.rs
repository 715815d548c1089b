//! Practitioners, their weekly hours and time off, and the calendars the slot rules read.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter,
    QueryOrder, Statement, Value,
};
use uuid::Uuid;

use super::entities::{practitioner, time_off, working_hours};
use crate::domain::{
    availability::{Interval, MAX_BUSY_SPAN, PractitionerCalendar, WorkingWindow},
    ids::PractitionerId,
    service::{Durations, Service},
    time::{MinuteOfDay, from_db},
};

/// Active practitioners, by name.
pub async fn practitioners(db: &impl ConnectionTrait) -> Result<Vec<practitioner::Model>, DbErr> {
    practitioner::Entity::find()
        .filter(practitioner::Column::Active.eq(true))
        .order_by_asc(practitioner::Column::Name)
        .order_by_asc(practitioner::Column::Id)
        .all(db)
        .await
}

/// One practitioner.
pub async fn practitioner(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<practitioner::Model>, DbErr> {
    practitioner::Entity::find_by_id(id).one(db).await
}

/// Inserts a practitioner.
pub async fn insert_practitioner(
    db: &impl ConnectionTrait,
    p: practitioner::Model,
) -> Result<(), DbErr> {
    practitioner::Entity::insert(practitioner::ActiveModel {
        id: Set(p.id),
        name: Set(p.name),
        email: Set(p.email),
        active: Set(p.active),
        created_at: Set(p.created_at),
    })
    .exec_without_returning(db)
    .await
    .map(|_| ())
}

/// A practitioner's weekly hours.
pub async fn working_hours(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Vec<working_hours::Model>, DbErr> {
    working_hours::Entity::find()
        .filter(working_hours::Column::PractitionerId.eq(id))
        .order_by_asc(working_hours::Column::Weekday)
        .order_by_asc(working_hours::Column::StartMinute)
        .all(db)
        .await
}

/// Replaces a practitioner's weekly hours (call inside a transaction).
pub async fn replace_working_hours(
    db: &impl ConnectionTrait,
    id: Uuid,
    windows: &[WorkingWindow],
) -> Result<(), DbErr> {
    working_hours::Entity::delete_many()
        .filter(working_hours::Column::PractitionerId.eq(id))
        .exec(db)
        .await?;
    if windows.is_empty() {
        return Ok(());
    }
    working_hours::Entity::insert_many(windows.iter().map(|w| working_hours::ActiveModel {
        practitioner_id: Set(id),
        weekday: Set(i16::from(w.weekday)),
        start_minute: Set(i32::from(w.start.minutes())),
        end_minute: Set(i32::from(w.end.minutes())),
    }))
    .exec_without_returning(db)
    .await
    .map(|_| ())
}

/// Inserts a block of time off.
pub async fn insert_time_off(db: &impl ConnectionTrait, t: time_off::Model) -> Result<(), DbErr> {
    time_off::Entity::insert(time_off::ActiveModel {
        id: Set(t.id),
        practitioner_id: Set(t.practitioner_id),
        starts_at: Set(t.starts_at),
        ends_at: Set(t.ends_at),
        reason: Set(t.reason),
        created_at: Set(t.created_at),
    })
    .exec_without_returning(db)
    .await
    .map(|_| ())
}

/// The weekly hours of these practitioners, by practitioner, weekday and start.
pub async fn working_hours_of(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<Vec<working_hours::Model>, DbErr> {
    working_hours::Entity::find()
        .filter(working_hours::Column::PractitionerId.is_in(ids.iter().copied()))
        .order_by_asc(working_hours::Column::PractitionerId)
        .order_by_asc(working_hours::Column::Weekday)
        .order_by_asc(working_hours::Column::StartMinute)
        .all(db)
        .await
}

/// The time off of these practitioners that overlaps `[from, to)` (Unix seconds), by start.
pub async fn time_off_between(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
    from: i64,
    to: i64,
) -> Result<Vec<time_off::Model>, DbErr> {
    time_off::Entity::find()
        .filter(time_off::Column::PractitionerId.is_in(ids.iter().copied()))
        .filter(time_off::Column::StartsAt.lt(to))
        .filter(time_off::Column::EndsAt.gt(from))
        .order_by_asc(time_off::Column::StartsAt)
        .all(db)
        .await
}

/// Deletes one block of time off of this practitioner; false if there was none.
pub async fn delete_time_off(
    db: &impl ConnectionTrait,
    practitioner_id: Uuid,
    id: Uuid,
) -> Result<bool, DbErr> {
    let res = time_off::Entity::delete_many()
        .filter(time_off::Column::Id.eq(id))
        .filter(time_off::Column::PractitionerId.eq(practitioner_id))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Binds values with the backend's placeholder syntax.
struct Binder {
    backend: DbBackend,
    values: Vec<Value>,
}

impl Binder {
    fn bind(&mut self, v: impl Into<Value>) -> String {
        self.values.push(v.into());
        match self.backend {
            DbBackend::Postgres => format!("${}", self.values.len()),
            _ => "?".to_owned(),
        }
    }

    /// `a, b, c` for `IN (...)`; an empty list matches nothing (`IN (NULL)`).
    fn list(&mut self, ids: &[Uuid]) -> String {
        if ids.is_empty() {
            return "NULL".to_owned();
        }
        ids.iter()
            .map(|id| self.bind(*id))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Whose calendars to read.
#[derive(Debug, Clone, Copy)]
pub enum Practitioners<'a> {
    /// These practitioners, in this order (those not active are left out).
    Only(&'a [Uuid]),
    /// Every active practitioner, by name.
    AllActive,
}

impl<'a> Practitioners<'a> {
    /// The practitioner a client or the desk asked for, or else every active one.
    pub fn wanted(id: Option<&'a PractitionerId>) -> Self {
        match id {
            Some(id) => Practitioners::Only(std::slice::from_ref(&id.0)),
            None => Practitioners::AllActive,
        }
    }
}

/// What placing a visit reads: the calendars, and the treatment lengths the catalogue gives now.
#[derive(Debug)]
pub struct Loaded {
    /// The chosen practitioners that are active (`Practitioners::AllActive`: by name).
    pub calendars: Vec<PractitionerCalendar>,
    /// Each service's treatment length (`services` table).
    pub durations: Durations,
}

/// The calendars of the chosen practitioners that are active, for the instants `[from, to)`:
/// hours, time off, the busy ranges of appointments that hold their slot and the clinic's
/// closure days (one row per day, shared by every calendar), with the services' treatment
/// lengths. One round trip (a UNION ALL of the six
/// tables, narrowed to the columns the slot rules read, decoded by position): this is the hot
/// path of availability, booking and reschedule, and inside a transaction it reads the
/// catalogue in the same snapshot as the calendar.
pub async fn load(
    db: &impl ConnectionTrait,
    which: Practitioners<'_>,
    from: i64,
    to: i64,
) -> Result<Loaded, DbErr> {
    let backend = db.get_database_backend();
    let mut b = Binder {
        backend,
        values: Vec::new(),
    };
    let of = |b: &mut Binder| match which {
        Practitioners::Only(ids) => b.list(ids),
        Practitioners::AllActive => "SELECT id FROM practitioners WHERE active".to_owned(),
    };
    let active_in = of(&mut b);
    let hours_in = of(&mut b);
    let off_in = of(&mut b);
    let (off_to, off_from) = (b.bind(to), b.bind(from));
    let busy_in = of(&mut b);
    // The lower bound on starts_at keeps the index range short (see `MAX_BUSY_SPAN`), so years
    // of past appointments are not scanned.
    let (busy_to, busy_after, busy_from) = (
        b.bind(to),
        b.bind(from - MAX_BUSY_SPAN.as_secs() as i64),
        b.bind(from),
    );
    // Closure days are local dates: those whose UTC date lies a day around the range cover
    // every zone's local dates of `[from, to)` (offsets stay within 14 hours). Bound after the
    // others: SQLite's `?` placeholders count in the order they appear in the text.
    let day_of = |t: i64, days: i64| {
        jiff::Timestamp::from_second(t + days * 86_400)
            .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date().to_string())
            .unwrap_or_default()
    };
    let (closed_from, closed_to) = (b.bind(day_of(from, -1)), b.bind(day_of(to, 1)));
    let sql = format!(
        "SELECT 'p' AS kind, id AS p, CAST(0 AS BIGINT) AS a, CAST(0 AS BIGINT) AS b, CAST(0 AS BIGINT) AS c, name AS n
           FROM practitioners WHERE id IN ({active_in}) AND active
         UNION ALL
         SELECT 'h', practitioner_id, CAST(weekday AS BIGINT) AS a,
                CAST(start_minute AS BIGINT), CAST(end_minute AS BIGINT), ''
           FROM working_hours WHERE practitioner_id IN ({hours_in})
         UNION ALL
         SELECT 'o', practitioner_id, starts_at, ends_at, CAST(0 AS BIGINT), ''
           FROM time_off WHERE practitioner_id IN ({off_in}) AND starts_at < {off_to} AND ends_at > {off_from}
         UNION ALL
         SELECT 'b', practitioner_id, starts_at, busy_until, CAST(0 AS BIGINT), ''
           FROM appointments WHERE practitioner_id IN ({busy_in}) AND status <> 'cancelled'
            AND starts_at < {busy_to} AND starts_at > {busy_after} AND busy_until > {busy_from}
         UNION ALL
         SELECT 'c', NULL, CAST(0 AS BIGINT), CAST(0 AS BIGINT), CAST(0 AS BIGINT), day
           FROM closures WHERE day >= {closed_from} AND day <= {closed_to}
         UNION ALL
         SELECT 's', NULL, CAST(duration_minutes AS BIGINT), CAST(0 AS BIGINT), CAST(0 AS BIGINT), code
           FROM services"
    );
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, b.values))
        .await?;
    // (calendar, name if active); rows of every kind may arrive in any order.
    let mut calendars: Vec<(PractitionerCalendar, Option<String>)> = match which {
        Practitioners::Only(ids) => ids.iter().map(|id| (empty(*id), None)).collect(),
        Practitioners::AllActive => Vec::new(),
    };
    let mut lengths = Vec::with_capacity(Service::ALL.len());
    // Closure days are the clinic's, so every calendar's (one row each, not one per practitioner).
    let mut closed = Vec::new();
    for row in rows {
        let kind: String = row.try_get_by_index(0)?;
        let (a, bb, c): (i64, i64, i64) = (
            row.try_get_by_index(2)?,
            row.try_get_by_index(3)?,
            row.try_get_by_index(4)?,
        );
        match kind.as_str() {
            "s" => {
                // The schema checks code and length; a code that still does not parse is skipped.
                let code: String = row.try_get_by_index(5)?;
                if let Some(service) = Service::from_code(&code) {
                    lengths.push((service, Durations::length(a, service)));
                }
                continue;
            }
            // The schema checks the shape; a value that still does not parse closes nothing.
            "c" => {
                closed.extend(
                    row.try_get_by_index::<String>(5)?
                        .parse::<jiff::civil::Date>()
                        .ok(),
                );
                continue;
            }
            _ => {}
        }
        let p: Uuid = row.try_get_by_index(1)?;
        let at = match calendars.iter().position(|x| x.0.id.0 == p) {
            Some(i) => i,
            None => {
                calendars.push((empty(p), None));
                calendars.len() - 1
            }
        };
        let (cal, name) = &mut calendars[at];
        match kind.as_str() {
            "p" => *name = Some(row.try_get_by_index(5)?),
            "h" => {
                let window = (|| {
                    Some(WorkingWindow {
                        weekday: u8::try_from(a).ok()?,
                        start: MinuteOfDay::new(u16::try_from(bb).ok()?)?,
                        end: MinuteOfDay::new(u16::try_from(c).ok()?)?,
                    })
                })();
                cal.hours.extend(window);
            }
            "o" => cal.time_off.push(Interval::new(from_db(a), from_db(bb))),
            _ => cal.busy.push(Interval::new(from_db(a), from_db(bb))),
        }
    }
    // Inactive (or unknown) practitioners offer nothing.
    calendars.retain(|(_, name)| name.is_some());
    for (cal, _) in &mut calendars {
        cal.closed.clone_from(&closed);
    }
    if matches!(which, Practitioners::AllActive) {
        calendars.sort_by(|(x, xn), (y, yn)| (xn, x.id.0).cmp(&(yn, y.id.0)));
    }
    Ok(Loaded {
        calendars: calendars.into_iter().map(|(cal, _)| cal).collect(),
        durations: Durations::from_lengths(lengths),
    })
}

fn empty(id: Uuid) -> PractitionerCalendar {
    PractitionerCalendar {
        id: PractitionerId(id),
        hours: vec![],
        time_off: vec![],
        busy: vec![],
        closed: vec![],
    }
}
