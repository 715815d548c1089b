//! Clients and their screenings.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, Statement, sea_query::OnConflict,
};
use uuid::Uuid;

use super::entities::{client, screening};
use crate::domain::client::ClientDetails;
use crate::domain::screening::{Flags, Outcome, QuestionnaireVersion, ReviewDecision};

/// The client with this email, created or updated with the given details (one statement:
/// `INSERT ... ON CONFLICT (email) DO UPDATE ... RETURNING`).
pub async fn upsert(
    db: &impl ConnectionTrait,
    details: &ClientDetails,
    now: i64,
) -> Result<Uuid, DbErr> {
    let row = client::Entity::insert(client::ActiveModel {
        id: Set(Uuid::new_v4()),
        name: Set(details.name.clone()),
        email: Set(details.email.clone()),
        phone: Set(details.phone.clone()),
        created_at: Set(now),
        erased_at: Set(None),
    })
    .on_conflict(
        OnConflict::column(client::Column::Email)
            .update_columns([client::Column::Name, client::Column::Phone])
            .to_owned(),
    )
    .exec_with_returning(db)
    .await?;
    Ok(row.id)
}

/// A screening as first stored (unreviewed; its client is resolved by email).
pub struct NewScreening {
    pub id: Uuid,
    pub questionnaire_version: QuestionnaireVersion,
    pub answers: String,
    pub concerns: String,
    pub outcome: Outcome,
    pub reasons: String,
    pub created_at: i64,
    pub valid_until: i64,
    pub eligible_from: Option<String>,
    pub no_numbing_cream: bool,
    pub cold_sore_history: bool,
}

/// Stores a new screening with its client (created, or updated by email), atomically; returns
/// the client's id. On PostgreSQL this is one statement (the upsert and the insert joined by a
/// CTE, committed on its own): one round trip instead of four, on the path every online
/// booking takes. SQLite, which has no data-modifying CTEs, uses a short transaction.
pub async fn insert_screening_with_client(
    db: &DatabaseConnection,
    details: &ClientDetails,
    s: NewScreening,
) -> Result<Uuid, DbErr> {
    if db.get_database_backend() != DbBackend::Postgres {
        let tx = super::begin_write(db).await?;
        let client_id = upsert(&tx, details, s.created_at).await?;
        insert_screening(
            &tx,
            screening::Model {
                id: s.id,
                client_id,
                questionnaire_version: s.questionnaire_version,
                answers: s.answers,
                concerns: s.concerns,
                outcome: s.outcome,
                reasons: s.reasons,
                created_at: s.created_at,
                valid_until: s.valid_until,
                review_decision: None,
                review_note: None,
                reviewed_by: None,
                reviewed_at: None,
                eligible_from: s.eligible_from,
                no_numbing_cream: s.no_numbing_cream,
                cold_sore_history: s.cold_sore_history,
            },
        )
        .await?;
        tx.commit().await?;
        return Ok(client_id);
    }
    let sql = "WITH c AS (
            INSERT INTO clients (id, name, email, phone, created_at) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (email) DO UPDATE SET name = excluded.name, phone = excluded.phone
            RETURNING id
        )
        INSERT INTO screenings (id, client_id, questionnaire_version, answers, concerns, outcome,
                                reasons, created_at, valid_until, eligible_from,
                                no_numbing_cream, cold_sore_history)
        SELECT $6, c.id, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16 FROM c
        RETURNING client_id";
    let values: Vec<sea_orm::Value> = vec![
        Uuid::new_v4().into(),
        details.name.clone().into(),
        details.email.clone().into(),
        details.phone.clone().into(),
        s.created_at.into(),
        s.id.into(),
        s.questionnaire_version.as_str().into(),
        s.answers.into(),
        s.concerns.into(),
        s.outcome.as_str().into(),
        s.reasons.into(),
        s.created_at.into(),
        s.valid_until.into(),
        s.eligible_from.into(),
        s.no_numbing_cream.into(),
        s.cold_sore_history.into(),
    ];
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql,
            values,
        ))
        .await?
        .ok_or_else(|| DbErr::RecordNotInserted)?;
    row.try_get_by_index(0)
}

/// A client by id.
pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<client::Model>, DbErr> {
    client::Entity::find_by_id(id).one(db).await
}

/// Inserts a screening.
pub async fn insert_screening(db: &impl ConnectionTrait, s: screening::Model) -> Result<(), DbErr> {
    screening::Entity::insert(screening::ActiveModel {
        id: Set(s.id),
        client_id: Set(s.client_id),
        questionnaire_version: Set(s.questionnaire_version),
        answers: Set(s.answers),
        concerns: Set(s.concerns),
        outcome: Set(s.outcome),
        reasons: Set(s.reasons),
        created_at: Set(s.created_at),
        valid_until: Set(s.valid_until),
        review_decision: Set(s.review_decision),
        review_note: Set(s.review_note),
        reviewed_by: Set(s.reviewed_by),
        reviewed_at: Set(s.reviewed_at),
        eligible_from: Set(s.eligible_from),
        no_numbing_cream: Set(s.no_numbing_cream),
        cold_sore_history: Set(s.cold_sore_history),
    })
    .exec_without_returning(db)
    .await
    .map(|_| ())
}

/// A screening by id.
pub async fn find_screening(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<screening::Model>, DbErr> {
    screening::Entity::find_by_id(id).one(db).await
}

/// Screenings, newest first, optionally of one outcome and still unreviewed.
pub async fn list_screenings(
    db: &impl ConnectionTrait,
    outcome: Option<Outcome>,
    limit: u64,
) -> Result<Vec<(screening::Model, Option<client::Model>)>, DbErr> {
    let mut q = screening::Entity::find().order_by_desc(screening::Column::CreatedAt);
    if let Some(o) = outcome {
        q = q.filter(screening::Column::Outcome.eq(o));
    }
    let rows = q.limit(limit).all(db).await?;
    let mut out = Vec::with_capacity(rows.len());
    for s in rows {
        let c = find(db, s.client_id).await?;
        out.push((s, c));
    }
    Ok(out)
}

/// Records a clinician's review decision, once: returns false when it was already reviewed.
pub async fn review_screening(
    db: &impl ConnectionTrait,
    id: Uuid,
    decision: ReviewDecision,
    note: &str,
    reviewer: Uuid,
    now: i64,
) -> Result<bool, DbErr> {
    let res = screening::Entity::update_many()
        .col_expr(screening::Column::ReviewDecision, Some(decision).into())
        .col_expr(screening::Column::ReviewNote, Some(note.to_owned()).into())
        .col_expr(screening::Column::ReviewedBy, Some(reviewer).into())
        .col_expr(screening::Column::ReviewedAt, Some(now).into())
        .filter(screening::Column::Id.eq(id))
        .filter(screening::Column::Outcome.eq(Outcome::NeedsReview))
        .filter(screening::Column::ReviewDecision.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// What booking needs of a screening, with its client's email, in one query.
#[derive(Debug, Clone, sea_orm::FromQueryResult)]
pub struct ScreeningForBooking {
    pub id: Uuid,
    pub client_id: Uuid,
    pub outcome: Outcome,
    pub review_decision: Option<ReviewDecision>,
    pub valid_until: i64,
    pub eligible_from: Option<String>,
    pub no_numbing_cream: bool,
    pub cold_sore_history: bool,
    pub client_email: String,
}

/// A screening and its client's email.
pub async fn screening_for_booking(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<ScreeningForBooking>, DbErr> {
    use sea_orm::FromQueryResult;
    let backend = db.get_database_backend();
    let placeholder = if backend == DbBackend::Postgres {
        "$1"
    } else {
        "?"
    };
    let sql = format!(
        "SELECT s.id, s.client_id, s.outcome, s.review_decision, s.valid_until, s.eligible_from,
                s.no_numbing_cream, s.cold_sore_history, c.email AS client_email
           FROM screenings s JOIN clients c ON c.id = s.client_id WHERE s.id = {placeholder}"
    );
    ScreeningForBooking::find_by_statement(Statement::from_sql_and_values(
        backend,
        sql,
        [id.into()],
    ))
    .one(db)
    .await
}

/// The flags of the screening a booking was made on and of every re-confirmation of its
/// visits, any one counting: an allergy or a cold-sore history told at one session holds for
/// the course (the `prep` email's cold-sore line, the `day_before` email's numbing cream line).
pub async fn visit_flags(db: &impl ConnectionTrait, booking_id: Uuid) -> Result<Flags, DbErr> {
    use super::entities::{appointment, booking};
    use sea_orm::{Condition, sea_query::Query};
    // One statement, the two flags only (not the answers).
    let booked_on = Query::select()
        .column(booking::Column::ScreeningId)
        .from(booking::Entity)
        .and_where(booking::Column::Id.eq(booking_id))
        .to_owned();
    let reconfirmed = Query::select()
        .column(appointment::Column::ReconfirmScreeningId)
        .from(appointment::Entity)
        .and_where(appointment::Column::BookingId.eq(booking_id))
        .to_owned();
    let rows: Vec<(bool, bool)> = screening::Entity::find()
        .select_only()
        .column(screening::Column::NoNumbingCream)
        .column(screening::Column::ColdSoreHistory)
        .filter(
            Condition::any()
                .add(screening::Column::Id.in_subquery(booked_on))
                .add(screening::Column::Id.in_subquery(reconfirmed)),
        )
        .into_tuple()
        .all(db)
        .await?;
    Ok(Flags {
        no_numbing_cream: rows.iter().any(|r| r.0),
        cold_sore_history: rows.iter().any(|r| r.1),
    })
}

/// The escape character of the search's LIKE patterns (a backslash is rendered differently by
/// the two backends; `!` is the same everywhere).
const LIKE_ESCAPE: char = '!';

/// `text` as a LIKE pattern matching it anywhere, its own `%`, `_` and `!` taken literally.
fn contains_pattern(text: &str) -> String {
    let mut p = String::with_capacity(text.len() + 2);
    p.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | LIKE_ESCAPE) {
            p.push(LIKE_ESCAPE);
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// Clients not erased whose name, email or phone contains the term, case folded on both sides
/// by the database's own `LOWER` (so a name typed exactly as stored always matches; SQLite folds
/// ASCII letters only, so there "é" does not find "É"; PostgreSQL folds every letter); a
/// phone-like term also matches the phone's digits without separators. By name (case folded
/// the same way on both backends), then email and id, at most `limit`.
pub async fn search(
    db: &impl ConnectionTrait,
    term: &crate::domain::client::SearchTerm,
    limit: u64,
) -> Result<Vec<client::Model>, DbErr> {
    use sea_orm::sea_query::{Condition, Expr, ExprTrait, Func, LikeExpr, Order};
    let col = |c: client::Column| Expr::col((client::Entity, c));
    let pattern = contains_pattern(&term.text);
    // sea-query's custom expressions take the backend's own placeholder syntax; '!' is
    // LIKE_ESCAPE.
    let folded_like = match db.get_database_backend() {
        DbBackend::Postgres => "LOWER($1) LIKE LOWER($2) ESCAPE '!'",
        _ => "LOWER(?) LIKE LOWER(?) ESCAPE '!'",
    };
    let mut any = Condition::any();
    for c in [
        client::Column::Name,
        client::Column::Email,
        client::Column::Phone,
    ] {
        any = any.add(Expr::cust_with_exprs(
            folded_like,
            [col(c), Expr::val(pattern.clone())],
        ));
    }
    if let Some(digits) = &term.phone_digits {
        // The phone as typed may hold separators (`domain::client::PHONE_SEPARATORS`).
        let mut bare: Expr = col(client::Column::Phone);
        for sep in crate::domain::client::PHONE_SEPARATORS.chars() {
            bare = Func::cust("REPLACE")
                .arg(bare)
                .arg(sep.to_string())
                .arg("")
                .into();
        }
        any = any.add(bare.like(LikeExpr::new(contains_pattern(digits)).escape(LIKE_ESCAPE)));
    }
    client::Entity::find()
        .filter(client::Column::ErasedAt.is_null())
        .filter(any)
        .order_by(Func::lower(col(client::Column::Name)), Order::Asc)
        .order_by_asc(client::Column::Email)
        .order_by_asc(client::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// Each given client's newest screening still valid at `now` (at most one per client).
pub async fn latest_valid_screenings(
    db: &impl ConnectionTrait,
    client_ids: &[Uuid],
    now: i64,
) -> Result<Vec<screening::Model>, DbErr> {
    if client_ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = screening::Entity::find()
        .filter(screening::Column::ClientId.is_in(client_ids.iter().copied()))
        .filter(screening::Column::ValidUntil.gt(now))
        .order_by_desc(screening::Column::CreatedAt)
        .order_by_desc(screening::Column::Id)
        .all(db)
        .await?;
    let mut seen = std::collections::HashSet::new();
    Ok(rows
        .into_iter()
        .filter(|s| seen.insert(s.client_id))
        .collect())
}

/// A screening in a client's history: everything but the answers.
#[derive(Debug, Clone, sea_orm::FromQueryResult)]
pub struct HistoryRow {
    pub id: Uuid,
    pub questionnaire_version: QuestionnaireVersion,
    pub outcome: Outcome,
    pub reasons: String,
    pub created_at: i64,
    pub valid_until: i64,
    pub eligible_from: Option<String>,
    pub review_decision: Option<ReviewDecision>,
    pub review_note: Option<String>,
    pub reviewed_by: Option<Uuid>,
    pub reviewed_at: Option<i64>,
}

/// How many screenings a client's history shows at most.
pub const HISTORY_LIMIT: u64 = 100;

/// A client's screenings, newest first (at most `HISTORY_LIMIT`), with the reviewers' emails
/// and the ids of the screenings that were a visit's health re-confirmation.
pub struct History {
    pub screenings: Vec<HistoryRow>,
    pub reviewers: Vec<(Uuid, String)>,
    pub reconfirmations: Vec<Uuid>,
}

/// The screening history of a client (see `History`).
pub async fn screening_history(
    db: &impl ConnectionTrait,
    client_id: Uuid,
) -> Result<History, DbErr> {
    use super::entities::{appointment, staff_user};
    use screening::Column as S;
    let screenings = screening::Entity::find()
        .select_only()
        .columns([
            S::Id,
            S::QuestionnaireVersion,
            S::Outcome,
            S::Reasons,
            S::CreatedAt,
            S::ValidUntil,
            S::EligibleFrom,
            S::ReviewDecision,
            S::ReviewNote,
            S::ReviewedBy,
            S::ReviewedAt,
        ])
        .filter(S::ClientId.eq(client_id))
        .order_by_desc(S::CreatedAt)
        .order_by_desc(S::Id)
        .limit(HISTORY_LIMIT)
        .into_model::<HistoryRow>()
        .all(db)
        .await?;
    let reviewer_ids: Vec<Uuid> = screenings.iter().filter_map(|s| s.reviewed_by).collect();
    let reviewers = if reviewer_ids.is_empty() {
        Vec::new()
    } else {
        staff_user::Entity::find()
            .filter(staff_user::Column::Id.is_in(reviewer_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.email))
            .collect()
    };
    let ids: Vec<Uuid> = screenings.iter().map(|s| s.id).collect();
    let reconfirmations = if ids.is_empty() {
        Vec::new()
    } else {
        appointment::Entity::find()
            .filter(appointment::Column::ReconfirmScreeningId.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .filter_map(|a| a.reconfirm_screening_id)
            .collect()
    };
    Ok(History {
        screenings,
        reviewers,
        reconfirmations,
    })
}

#[cfg(test)]
mod tests {
    use super::contains_pattern;

    #[test]
    fn wildcards_in_a_search_are_literal() {
        assert_eq!(contains_pattern("anna"), "%anna%");
        assert_eq!(contains_pattern("50%_a!"), "%50!%!_a!!%");
    }
}
