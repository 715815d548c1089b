//! Consent before the needle: which treatments need a signed consent, what a valid signature
//! request is, and whether a visit's signatures clear check-in. The one place of the rule
//! "check-in of a microneedling visit needs a signature of the current consent version"
//! (`clears_check_in`, applied by `flows::lifecycle::apply`). The texts themselves are data
//! (`templates/<language>/consent/<service>.toml`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::service::Service;

/// Where a signature was made.
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
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
pub enum ConsentSource {
    /// The client, on the manage page (manage token or the secret of an email's link).
    ClientLink,
    /// At the desk, recorded by a staff user.
    Desk,
}

impl ConsentSource {
    /// The stored and shown text.
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentSource::ClientLink => "client_link",
            ConsentSource::Desk => "desk",
        }
    }
}

/// Whether a treatment needs a signed consent before check-in (a consultation needs none).
pub fn required(service: Service) -> bool {
    service == Service::Microneedling
}

/// Where a visit stands with its consent (what the desk's calendar shows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsentState {
    /// The treatment needs no consent (a skin consultation).
    NotNeeded,
    /// Nobody signed for this visit's booking yet.
    Missing,
    /// Signed, but an older version of the text: the client signs the current one again.
    Outdated,
    /// The current version is signed.
    Signed,
}

/// The consent state of a visit of `service` whose booking holds signatures of
/// `signed_versions`, when `current` is the version in force.
pub fn state<'a>(
    service: Service,
    signed_versions: impl IntoIterator<Item = &'a str>,
    current: &str,
) -> ConsentState {
    if !required(service) {
        return ConsentState::NotNeeded;
    }
    let mut any = false;
    for v in signed_versions {
        if v == current {
            return ConsentState::Signed;
        }
        any = true;
    }
    if any {
        ConsentState::Outdated
    } else {
        ConsentState::Missing
    }
}

/// The sentence for the desk when check-in is refused for want of a consent.
pub const MISSING_MESSAGE: &str = "this microneedling visit needs the client's signed consent first: the client signs it on the manage page, or at the desk (consent), then check in";
/// The same when only an older version was signed.
pub const OUTDATED_MESSAGE: &str = "the consent text changed since the client signed it: the client signs the current version (manage page or desk), then check in";

/// Whether a visit may be checked in, given its consent state ([`state`]): only with
/// `NotNeeded` or `Signed`. The error is the sentence for the desk (409 `consent_missing`).
pub fn clears_check_in(state: ConsentState) -> Result<(), &'static str> {
    match state {
        ConsentState::NotNeeded | ConsentState::Signed => Ok(()),
        ConsentState::Missing => Err(MISSING_MESSAGE),
        ConsentState::Outdated => Err(OUTDATED_MESSAGE),
    }
}

/// The longest typed name kept.
pub const MAX_NAME_CHARS: usize = 200;

/// Checks a signature request: `full_name` non-empty (trimmed, at most 200 characters) and
/// `agree` exactly true. Returns the name to store, or every bad field at once.
pub fn check_signature(full_name: &str, agree: bool) -> Result<String, BTreeMap<String, String>> {
    let mut bad = BTreeMap::new();
    let name = full_name.trim();
    if name.is_empty() {
        bad.insert("full_name".into(), "type your full name to sign".into());
    } else if name.chars().count() > MAX_NAME_CHARS {
        bad.insert(
            "full_name".into(),
            format!("at most {MAX_NAME_CHARS} characters"),
        );
    }
    if !agree {
        bad.insert(
            "agree".into(),
            "must be true: tick that you have read and agree to the consent".into(),
        );
    }
    if bad.is_empty() {
        Ok(name.to_owned())
    } else {
        Err(bad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_consultation_needs_no_consent() {
        assert_eq!(
            state(Service::SkinConsultation, [], "2026-11-1"),
            ConsentState::NotNeeded
        );
        assert!(clears_check_in(state(Service::SkinConsultation, [], "v")).is_ok());
    }

    #[test]
    fn microneedling_needs_the_current_version() {
        let s = |signed: &[&str]| state(Service::Microneedling, signed.iter().copied(), "v2");
        assert_eq!(s(&[]), ConsentState::Missing);
        assert_eq!(clears_check_in(s(&[])), Err(MISSING_MESSAGE));
        // A version bump: the old signature no longer clears check-in.
        assert_eq!(s(&["v1"]), ConsentState::Outdated);
        assert_eq!(clears_check_in(s(&["v1"])), Err(OUTDATED_MESSAGE));
        assert_eq!(s(&["v1", "v2"]), ConsentState::Signed);
        assert_eq!(s(&["v2"]), ConsentState::Signed);
        assert!(clears_check_in(s(&["v2"])).is_ok());
    }

    #[test]
    fn a_signature_needs_a_name_and_the_tick() {
        assert_eq!(check_signature("  Ana Lima ", true), Ok("Ana Lima".into()));
        let bad = check_signature("   ", false).unwrap_err();
        assert!(bad.contains_key("full_name") && bad.contains_key("agree"));
        let long = "x".repeat(MAX_NAME_CHARS + 1);
        assert!(
            check_signature(&long, true)
                .unwrap_err()
                .contains_key("full_name")
        );
    }
}
