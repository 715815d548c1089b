//! The `screenings` table.

use sea_orm::entity::prelude::*;

use crate::domain::screening::{Outcome, ReviewDecision};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "screenings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub client_id: Uuid,
    pub questionnaire_version: String,
    pub answers: String,
    pub concerns: String,
    pub outcome: Outcome,
    pub reasons: String,
    pub created_at: i64,
    pub valid_until: i64,
    pub review_decision: Option<ReviewDecision>,
    pub review_note: Option<String>,
    pub reviewed_by: Option<Uuid>,
    pub reviewed_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
