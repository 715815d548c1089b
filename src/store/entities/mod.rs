//! sea-orm entities, one per table; behaviour lives in the `store` modules beside this folder.

pub mod aftercare_alert;
pub mod aftercare_report;
pub mod appointment;
pub mod audit_log;
pub mod audit_mention;
pub mod booking;
pub mod client;
pub mod closure;
pub mod consent;
pub mod manage_link;
pub mod outbox;
pub mod practitioner;
pub mod screening;
pub mod service_offer;
pub mod session_note;
pub mod staff_session;
pub mod staff_user;
pub mod time_off;
pub mod working_hours;

#[cfg(test)]
mod tests {
    use sea_orm::{ActiveEnum, Iterable};

    use crate::domain::{
        aftercare::{AlertStatus, Redness},
        consent::ConsentSource,
        messages::{LinkPurpose, MessageKind, MessageStatus},
        role::Role,
        screening::{Outcome, QuestionnaireVersion, ReviewDecision},
        service::{Currency, Service},
        status::AppointmentStatus,
    };

    /// The enums store exactly the values the database's checks allow (migration 4).
    #[test]
    fn enums_store_the_values_the_database_allows() {
        let of = |table: &str, column: &str| -> Vec<String> {
            let (_, _, values) = migration::checked()
                .find(|(t, c, _)| *t == table && *c == column)
                .expect("a checked column");
            values.iter().map(|v| (*v).to_owned()).collect()
        };
        assert_eq!(AppointmentStatus::values(), of("appointments", "status"));
        assert_eq!(Service::values(), of("appointments", "service"));
        assert_eq!(Service::values(), of("bookings", "service"));
        assert_eq!(Service::values(), of("services", "code"));
        assert_eq!(Currency::values(), of("services", "price_currency"));
        assert_eq!(Outcome::values(), of("screenings", "outcome"));
        assert_eq!(Outcome::values(), of("appointments", "reconfirm_outcome"));
        assert_eq!(
            ReviewDecision::values(),
            of("screenings", "review_decision")
        );
        assert_eq!(MessageKind::values(), of("outbox", "kind"));
        assert_eq!(MessageStatus::values(), of("outbox", "status"));
        assert_eq!(Role::values(), of("staff_users", "role"));
        assert_eq!(LinkPurpose::values(), of("manage_links", "purpose"));
        assert_eq!(Redness::values(), of("aftercare_reports", "redness"));
        assert_eq!(AlertStatus::values(), of("aftercare_alerts", "status"));
        assert_eq!(ConsentSource::values(), of("consents", "source"));
        assert_eq!(
            QuestionnaireVersion::values(),
            of("screenings", "questionnaire_version")
        );
        for v in QuestionnaireVersion::iter() {
            assert_eq!(v.to_value(), v.as_str());
            assert_eq!(v.questionnaire().version, v);
        }
        // The API's text and the stored text are one and the same.
        for s in AppointmentStatus::ALL {
            assert_eq!(s.to_value(), s.as_str());
        }
        for k in MessageKind::ALL {
            assert_eq!(k.to_value(), k.as_str());
        }
    }
}
