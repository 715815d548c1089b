//! Client contact details, parsed once at the edge.

use std::collections::BTreeMap;

/// Checked client details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientDetails {
    pub name: String,
    /// Lower-cased, so one person is one client.
    pub email: String,
    pub phone: Option<String>,
}

impl ClientDetails {
    /// Checks name, email and phone; errors are keyed by field below `prefix`.
    pub fn parse(
        prefix: &str,
        name: &str,
        email: &str,
        phone: Option<&str>,
    ) -> Result<Self, BTreeMap<String, String>> {
        let mut errors = BTreeMap::new();
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            errors.insert(
                format!("{prefix}.name"),
                "must be 1 to 200 characters".to_owned(),
            );
        }
        let email = match normalize_email(email) {
            Ok(e) => e,
            Err(m) => {
                errors.insert(format!("{prefix}.email"), m.to_owned());
                String::new()
            }
        };
        let phone = phone.map(str::trim).filter(|p| !p.is_empty());
        if let Some(p) = phone {
            let ok = p.len() <= 32
                && p.chars().filter(char::is_ascii_digit).count() >= 5
                && p.chars()
                    .all(|c| c.is_ascii_digit() || PHONE_SEPARATORS.contains(c));
            if !ok {
                errors.insert(
                    format!("{prefix}.phone"),
                    "must be a phone number".to_owned(),
                );
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Self {
            name: name.to_owned(),
            email,
            phone: phone.map(str::to_owned),
        })
    }
}

/// The one email rule (clients, staff, practitioners): trimmed and lower-cased, at most 254
/// characters, valid syntax, and a domain with a dot (mail to `name@localhost` never arrives).
pub fn normalize_email(raw: &str) -> Result<String, &'static str> {
    let email = raw.trim().to_lowercase();
    let dotted = email
        .rsplit_once('@')
        .is_some_and(|(_, domain)| domain.contains('.'));
    if email.len() > 254 || !dotted || !email_address::EmailAddress::is_valid(&email) {
        return Err("must be a valid email address");
    }
    Ok(email)
}

/// The email address with its local part masked, for log lines: `j***@example.com`.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".to_owned(),
    }
}

/// The characters a phone number may hold besides digits (the search compares digits alone).
pub const PHONE_SEPARATORS: &str = " +-()/.";

/// The shortest and longest text the desk's client search takes (characters, trimmed).
pub const SEARCH_MIN_CHARS: usize = 2;
pub const SEARCH_MAX_CHARS: usize = 100;

/// A checked client search: the text as typed (trimmed; the store folds case on both sides of
/// the match with the database's `LOWER`), and the digits alone when the text looks like a
/// phone number (so "030 123" finds "030-123...").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchTerm {
    pub text: String,
    pub phone_digits: Option<String>,
}

/// The one rule for a search text: trimmed, 2 to 100 characters. A phone-like text (only the
/// characters a phone number may hold, at least 2 digits) is also matched by its digits.
pub fn search_term(raw: &str) -> Result<SearchTerm, &'static str> {
    let t = raw.trim();
    let n = t.chars().count();
    if n < SEARCH_MIN_CHARS {
        return Err("type at least 2 characters of the name, email or phone");
    }
    if n > SEARCH_MAX_CHARS {
        return Err("must be at most 100 characters");
    }
    let digits: String = t.chars().filter(char::is_ascii_digit).collect();
    let phone_like = digits.len() >= 2
        && t.chars()
            .all(|c| c.is_ascii_digit() || PHONE_SEPARATORS.contains(c));
    Ok(SearchTerm {
        text: t.to_owned(),
        phone_digits: phone_like.then_some(digits),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_normalises() {
        let c = ClientDetails::parse("client", " Ana ", "Ana@Example.COM", Some("+49 30 123456"))
            .unwrap();
        assert_eq!(c.email, "ana@example.com");
        assert_eq!(c.name, "Ana");
        let e = ClientDetails::parse("client", "", "nope", Some("abc")).unwrap_err();
        assert_eq!(e.len(), 3);
        assert_eq!(mask_email("ana@example.com"), "a***@example.com");
    }

    #[test]
    fn a_search_needs_two_characters_and_reads_phone_digits() {
        assert!(search_term(" a ").is_err());
        assert!(search_term(&"x".repeat(101)).is_err());
        let t = search_term(" Anna K ").unwrap();
        assert_eq!(t.text, "Anna K");
        assert_eq!(t.phone_digits, None);
        let p = search_term("030 12-34").unwrap();
        assert_eq!(p.phone_digits.as_deref(), Some("0301234"));
        assert_eq!(search_term("ab12").unwrap().phone_digits, None);
    }
}
