//! Layered configuration: files, then `APP__` variables; bad values name their key.

use std::path::PathBuf;

use dermadesk::config::Settings;

fn with_default(replace: &str, with: &str) -> Result<Settings, String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("config/default.toml")).unwrap();
    assert!(text.contains(replace), "{replace}");
    let dir = root
        .join("target")
        .join("test-config")
        .join(uuid::Uuid::new_v4().to_string());
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("default.toml"), text.replace(replace, with)).unwrap();
    let res = Settings::load_env(&dir, "none").map_err(|e| e.to_string());
    let _ = std::fs::remove_dir_all(&dir);
    res
}

#[test]
fn defaults_match_the_contract() {
    let s = with_default("[server]", "[server]").unwrap();
    assert_eq!((s.server.host.as_str(), s.server.port), ("127.0.0.1", 8080));
    assert_eq!(s.booking.min_notice.as_secs(), 2 * 3600);
    assert_eq!(s.booking.horizon.as_secs(), 180 * 86_400);
    assert_eq!(s.booking.slot_step.as_secs(), 15 * 60);
    assert_eq!(s.booking.screening_valid_for.as_secs(), 30 * 86_400);
    assert_eq!(s.course.max_sessions, 6);
    assert_eq!(s.course.min_interval.as_secs(), 28 * 86_400);
    assert_eq!(s.reminders.max_attempts, 8);
    assert!(s.database.url.expose().starts_with("sqlite://"));
    assert!(s.database.migrate_on_start);
}

#[test]
fn a_bad_value_names_its_key() {
    let err = with_default("min_notice = \"2h\"", "min_notice = \"two hours\"").unwrap_err();
    assert!(err.contains("min_notice"), "{err}");
    let err = with_default(
        "timezone = \"Europe/Berlin\"",
        "timezone = \"Mars/Olympus\"",
    )
    .unwrap_err();
    assert!(err.contains("timezone"), "{err}");
    let err = with_default("slot_step = \"15m\"", "slot_step = \"30s\"").unwrap_err();
    assert!(err.contains("booking.slot_step"), "{err}");
    let err = with_default("quiet_hours = \"21:00-08:00\"", "quiet_hours = \"late\"").unwrap_err();
    assert!(err.contains("quiet_hours"), "{err}");
    let err = with_default("transport = \"file\"", "transport = \"pigeon\"").unwrap_err();
    assert!(err.contains("transport"), "{err}");
    // A visit must fit the calendar reads' bound (12 hours with numbing time and buffer).
    let err = with_default("buffer = \"15m\"", "buffer = \"11h\"").unwrap_err();
    assert!(err.contains("booking.buffer"), "{err}");
    assert!(with_default("buffer = \"15m\"", "buffer = \"10h\"").is_ok());
    let err = with_default("acquire_timeout = \"5s\"", "acquire_timeout = \"soon\"").unwrap_err();
    assert!(err.contains("acquire_timeout"), "{err}");
}
