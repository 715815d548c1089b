//! The clinic's services. A closed set: the codes are part of the contract. What an admin may
//! change per service (the listed name, the treatment's length, the price) is the catalogue
//! (`services` table), checked here.

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

    /// Whether the client prepares the skin for it (the `prep` email: no sun, pause retinoids
    /// and acids, tell us about cold sores); a consultation only looks at the skin.
    pub fn prepares_skin(self) -> bool {
        matches!(self, Service::Microneedling)
    }

    /// Whether a completed visit is followed by the aftercare emails (soothing care, the
    /// irritation watch, the follow-up).
    pub fn has_aftercare(self) -> bool {
        matches!(self, Service::Microneedling)
    }
}

/// The shortest treatment length an admin may set.
pub const MIN_DURATION: Duration = Duration::from_secs(15 * 60);
/// The longest (with numbing time and the cleaning buffer it must fit in
/// `availability::MAX_BUSY_SPAN`; the settings are checked against it at start).
pub const MAX_DURATION: Duration = Duration::from_secs(480 * 60);
/// The most a price may be, in minor units (100,000.00).
pub const MAX_PRICE_MINOR: i64 = 10_000_000;
/// The longest listed name, in characters.
pub const MAX_NAME: usize = 100;

/// A price's currency. A closed set: one clinic, one currency.
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
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum Currency {
    #[serde(rename = "EUR")]
    #[sea_orm(string_value = "EUR")]
    Eur,
}

/// A price in minor units (cents) of its currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Price {
    /// Minor units (cents): 4900 is 49.00.
    pub amount_minor: i64,
    pub currency: Currency,
}

/// One service as the catalogue lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub service: Service,
    pub name: String,
    /// The treatment itself (numbing time and the cleaning buffer come on top).
    pub duration: Duration,
    /// None: no price is shown.
    pub price: Option<Price>,
}

/// The treatment length of each service, as the catalogue says now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Durations([Duration; 2]);

impl Durations {
    /// The treatment length a catalogue row's `duration_minutes` gives; a value that is no
    /// length (negative; the schema's CHECK keeps it out) leaves the seeded length.
    pub fn length(minutes: i64, service: Service) -> Duration {
        u64::try_from(minutes)
            .map(|m| Duration::from_secs(m * 60))
            .unwrap_or_else(|_| Self::from_lengths([]).of(service))
    }

    /// From (service, treatment length) pairs; a service not named keeps the seeded length.
    pub fn from_lengths(lengths: impl IntoIterator<Item = (Service, Duration)>) -> Self {
        let mut d = [Duration::from_secs(60 * 60), Duration::from_secs(30 * 60)];
        for (service, length) in lengths {
            d[Self::index(service)] = length;
        }
        Self(d)
    }

    fn index(service: Service) -> usize {
        match service {
            Service::Microneedling => 0,
            Service::SkinConsultation => 1,
        }
    }

    /// The treatment length of `service`.
    pub fn of(&self, service: Service) -> Duration {
        self.0[Self::index(service)]
    }
}

/// A listed name: trimmed, 1 to 100 characters.
pub fn check_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    let n = name.chars().count();
    if n == 0 || n > MAX_NAME || name.chars().any(char::is_control) {
        return Err(format!(
            "must be 1 to {MAX_NAME} characters without control characters"
        ));
    }
    Ok(name.to_owned())
}

/// A treatment length: whole minutes from 15 to 480, on the slot grid (`booking.slot_step`),
/// so every visit still ends on the grid.
pub fn check_duration(minutes: i64, slot_step: Duration) -> Result<Duration, String> {
    let min = MIN_DURATION.as_secs() as i64 / 60;
    let max = MAX_DURATION.as_secs() as i64 / 60;
    let step = (slot_step.as_secs() / 60).max(1) as i64;
    if !(min..=max).contains(&minutes) {
        return Err(format!("must be from {min} to {max} minutes"));
    }
    if minutes % step != 0 {
        return Err(format!(
            "must be a multiple of {step} minutes (booking.slot_step)"
        ));
    }
    Ok(Duration::from_secs(minutes as u64 * 60))
}

/// A price: 0 to 100,000.00.
pub fn check_price(price: Price) -> Result<Price, String> {
    if !(0..=MAX_PRICE_MINOR).contains(&price.amount_minor) {
        return Err(format!(
            "amount_minor must be from 0 to {MAX_PRICE_MINOR} (minor units, cents)"
        ));
    }
    Ok(price)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STEP: Duration = Duration::from_secs(15 * 60);

    #[test]
    fn durations_are_on_the_grid_and_in_range() {
        assert_eq!(check_duration(45, STEP), Ok(Duration::from_secs(45 * 60)));
        assert_eq!(check_duration(15, STEP), Ok(MIN_DURATION));
        assert_eq!(check_duration(480, STEP), Ok(MAX_DURATION));
        assert!(check_duration(0, STEP).is_err());
        assert!(check_duration(495, STEP).is_err());
        assert!(
            check_duration(50, STEP)
                .unwrap_err()
                .contains("multiple of 15")
        );
        assert!(check_duration(50, Duration::from_secs(600)).is_ok());
    }

    #[test]
    fn names_and_prices() {
        assert_eq!(check_name("  Peel  ").as_deref(), Ok("Peel"));
        assert!(check_name(" ").is_err());
        assert!(check_name(&"x".repeat(101)).is_err());
        assert!(check_name("a\nb").is_err());
        let p = |amount_minor| Price {
            amount_minor,
            currency: Currency::Eur,
        };
        assert!(check_price(p(0)).is_ok());
        assert!(check_price(p(-1)).is_err());
        assert!(check_price(p(MAX_PRICE_MINOR + 1)).is_err());
    }

    #[test]
    fn durations_default_to_the_seeded_lengths() {
        let d = Durations::from_lengths([]);
        assert_eq!(d.of(Service::Microneedling), Duration::from_secs(3600));
        let d =
            Durations::from_lengths([(Service::SkinConsultation, Duration::from_secs(45 * 60))]);
        assert_eq!(
            d.of(Service::SkinConsultation),
            Duration::from_secs(45 * 60)
        );
        assert_eq!(d.of(Service::Microneedling), Duration::from_secs(3600));
    }
}
