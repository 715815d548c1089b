//! The clinic's services. A closed set: the catalogue is part of the contract.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// A bookable service.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
    sea_orm::EnumIter,
    sea_orm::DeriveActiveEnum,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
pub enum Service {
    /// Collagen induction therapy; needs a passed health screening.
    Microneedling,
    /// A skin analysis talk; anyone may book it, screened or not.
    SkinConsultation,
}

impl Service {
    /// Every service, in catalogue order.
    pub const ALL: [Service; 2] = [Service::Microneedling, Service::SkinConsultation];

    /// The code used in the API and the database.
    pub fn code(self) -> &'static str {
        match self {
            Service::Microneedling => "microneedling",
            Service::SkinConsultation => "skin_consultation",
        }
    }

    /// Parses a code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Display name.
    pub fn name(self) -> &'static str {
        match self {
            Service::Microneedling => "Microneedling",
            Service::SkinConsultation => "Skin consultation",
        }
    }

    /// Length of the treatment itself.
    pub fn duration(self) -> Duration {
        match self {
            Service::Microneedling => Duration::from_secs(60 * 60),
            Service::SkinConsultation => Duration::from_secs(30 * 60),
        }
    }

    /// Whether a passed screening is needed to book it.
    pub fn requires_screening(self) -> bool {
        matches!(self, Service::Microneedling)
    }

    /// Whether a course of repeat sessions may be booked.
    pub fn allows_course(self) -> bool {
        matches!(self, Service::Microneedling)
    }

    /// Whether numbing cream (and so the extra time before the treatment) may be asked for.
    pub fn allows_anesthesia(self) -> bool {
        matches!(self, Service::Microneedling)
    }
}
