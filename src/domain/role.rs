//! Staff roles: what each may do is decided at the HTTP edge by `Staff::require`.

use serde::{Deserialize, Serialize};

/// A staff role.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
    sea_orm::EnumIter,
    sea_orm::DeriveActiveEnum,
)]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Reception,
    Practitioner,
}

impl Role {
    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Reception => "reception",
            Role::Practitioner => "practitioner",
        }
    }

    /// Parses the stored text.
    pub fn parse(value: &str) -> Option<Self> {
        [Role::Admin, Role::Reception, Role::Practitioner]
            .into_iter()
            .find(|r| r.as_str() == value)
    }
}
