//! Clients and their screenings.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Statement,
    sea_query::OnConflict,
};
use uuid::Uuid;

use super::entities::{client, screening};
use crate::domain::client::ClientDetails;
use crate::domain::screening::{Outcome, QuestionnaireVersion, ReviewDecision};

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

/// Whether the screening a visit was booked on, or its latest re-confirmation, reports a
/// history of cold sores (for the prep email).
pub async fn visit_cold_sore_history(
    db: &impl ConnectionTrait,
    booking_id: Uuid,
    reconfirm_screening_id: Option<Uuid>,
) -> Result<bool, DbErr> {
    let booked_on = super::entities::booking::Entity::find_by_id(booking_id)
        .one(db)
        .await?
        .and_then(|b| b.screening_id);
    let ids: Vec<Uuid> = booked_on
        .into_iter()
        .chain(reconfirm_screening_id)
        .collect();
    if ids.is_empty() {
        return Ok(false);
    }
    let hits = screening::Entity::find()
        .filter(screening::Column::Id.is_in(ids))
        .filter(screening::Column::ColdSoreHistory.eq(true))
        .count(db)
        .await?;
    Ok(hits > 0)
}
