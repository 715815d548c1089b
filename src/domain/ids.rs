//! Typed ids: a practitioner id can never be passed where an appointment id is expected.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! typed_id {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh random id.
            pub fn new() -> Self {
                Self(Uuid::new_v4())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }
    )*};
}

typed_id!(
    /// A client (the person treated).
    ClientId,
    /// A practitioner (who treats).
    PractitionerId,
    /// A completed screening questionnaire.
    ScreeningId,
    /// One booking request: one appointment or a whole course, with one manage token.
    BookingId,
    /// One appointment (one visit).
    AppointmentId,
    /// A staff login.
    StaffUserId,
    /// A block of practitioner time off.
    TimeOffId,
);
