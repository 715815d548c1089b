//! The `screenings` table.

use sea_orm::entity::prelude::*;

use crate::domain::screening::{Outcome, QuestionnaireVersion, ReviewDecision};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "screenings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub client_id: Uuid,
    pub questionnaire_version: QuestionnaireVersion,
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
    /// The first local day (`YYYY-MM-DD`) a treatment may take place; NULL when none.
    pub eligible_from: Option<String>,
    /// Numbing cream cannot be chosen (an allergy to local anaesthetics).
    pub no_numbing_cream: bool,
    /// A history of cold sores.
    pub cold_sore_history: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
