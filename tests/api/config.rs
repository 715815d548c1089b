//! Layered configuration: files, then `APP__` variables; bad values name their key.

use std::path::PathBuf;

use dermadesk::config::Settings;

pub(crate) fn with_default(replace: &str, with: &str) -> Result<Settings, String> {
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
    // A visit must fit the calendar reads' bound (12 hours with numbing time and buffer), the
    // longest treatment an admin may set (8 hours) included.
    let err = with_default("buffer = \"15m\"", "buffer = \"11h\"").unwrap_err();
    assert!(err.contains("booking.buffer"), "{err}");
    let err = with_default("buffer = \"15m\"", "buffer = \"3h45m\"").unwrap_err();
    assert!(err.contains("booking.buffer"), "{err}");
    assert!(with_default("buffer = \"15m\"", "buffer = \"3h30m\"").is_ok());
    let err = with_default("acquire_timeout = \"5s\"", "acquire_timeout = \"soon\"").unwrap_err();
    assert!(err.contains("acquire_timeout"), "{err}");
    for bad in [
        "book.clinic.example",
        "ftp://clinic.example",
        "https://",
        "https://a b",
    ] {
        let err = with_default(
            "public_url = \"http://127.0.0.1:8080\"",
            &format!("public_url = \"{bad}\""),
        )
        .unwrap_err();
        assert!(err.contains("clinic.public_url"), "{bad}: {err}");
    }
    let err = with_default("language = \"en\"", "language = \"fr\"").unwrap_err();
    assert!(err.contains("language"), "{err}");
}

#[test]
fn the_desk_idle_lock_has_a_default_and_bounds() {
    let s = with_default("[server]", "[server]").unwrap();
    assert_eq!(s.desk.idle_lock.as_secs(), 15 * 60);
    let s = with_default("idle_lock = \"15m\"", "idle_lock = \"1h 30m\"").unwrap();
    assert_eq!(s.desk.idle_lock.as_secs(), 90 * 60);
    for bad in ["\"30s\"", "\"25h\"", "\"90.5s\"", "\"soon\"", "15"] {
        let err = with_default("idle_lock = \"15m\"", &format!("idle_lock = {bad}")).unwrap_err();
        assert!(err.contains("idle_lock"), "{bad}: {err}");
    }
    // check-config prints it in the form it reads.
    let printed = with_default("idle_lock = \"15m\"", "idle_lock = \"45m\"")
        .unwrap()
        .to_toml()
        .unwrap();
    assert!(printed.contains("[desk]\nidle_lock = \"45m\""), "{printed}");
}

#[test]
fn links_and_language_have_defaults_and_a_trailing_slash_is_trimmed() {
    let s = with_default("[server]", "[server]").unwrap();
    assert_eq!(s.clinic.public_url, "http://127.0.0.1:8080");
    assert_eq!(s.clinic.language, dermadesk::config::Language::En);
    let s = with_default(
        "public_url = \"http://127.0.0.1:8080\"",
        "public_url = \"https://book.clinic.example/dermadesk/\"",
    )
    .unwrap();
    assert_eq!(s.clinic.public_url, "https://book.clinic.example/dermadesk");
    let s = with_default("language = \"en\"", "language = \"de\"").unwrap();
    assert_eq!(s.clinic.language, dermadesk::config::Language::De);
}

/// A fresh folder under target/ (removed when the guard drops).
struct Folder(PathBuf);

impl Folder {
    fn new(files: &[(&str, &str)]) -> Self {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("target")
            .join("test-config")
            .join(uuid::Uuid::new_v4().to_string());
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in files {
            std::fs::write(dir.join(name), text).unwrap();
        }
        Self(dir)
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn the_defaults_are_built_in() {
    let missing = PathBuf::from("/nonexistent/dermadesk-config");
    let s = Settings::load_env(&missing, "none").unwrap();
    assert_eq!(s.server.port, 8080);
    assert_eq!(s.reminders.prep_before.as_secs(), 72 * 3600);
    assert_eq!(
        s.to_toml().unwrap(),
        with_default("[server]", "[server]")
            .unwrap()
            .to_toml()
            .unwrap(),
        "the built-in defaults are config/default.toml"
    );
    // An operator who names a folder that does not exist is told so.
    let err = Settings::load_dir(Some(&missing)).unwrap_err().to_string();
    assert!(err.contains("dermadesk-config"), "{err}");
}

#[test]
fn files_in_the_folder_override_single_defaults() {
    let dir = Folder::new(&[
        (
            "default.toml",
            "[server]\nport = 9001\n[clinic]\nname = \"Haut & Nadel\"\n",
        ),
        ("staging.toml", "[server]\nport = 9002\n"),
    ]);
    let s = Settings::load_env(&dir.0, "none").unwrap();
    assert_eq!(
        (s.server.port, s.clinic.name.as_str()),
        (9001, "Haut & Nadel")
    );
    assert_eq!(
        s.booking.slot_step.as_secs(),
        15 * 60,
        "the rest stays default"
    );
    let s = Settings::load_env(&dir.0, "staging").unwrap();
    assert_eq!(
        s.server.port, 9002,
        "{{APP_ENV}}.toml wins over default.toml"
    );
    assert_eq!(s.clinic.name, "Haut & Nadel");
}

#[test]
fn printed_settings_load_back_to_the_same_settings() {
    let dir = Folder::new(&[(
        "default.toml",
        "[booking]\nmin_notice = \"1h 30m\"\navailability_cache = \"1500ms\"\n\
         [reminders]\nquiet_hours = \"\"\n\
         [rate_limit]\ntrusted_proxies = \"10.0.0.5, 172.16.0.0/12\"\n\
         [bootstrap]\nadmin_email = \"admin@clinic.example\"\n",
    )]);
    let s = Settings::load_env(&dir.0, "none").unwrap();
    let printed = s.to_toml().unwrap();
    for line in [
        "min_notice = \"90m\"",
        "horizon = \"180d\"",
        "prep_before = \"72h\"",
        "retry_max = \"30m\"",
        "availability_cache = \"1500ms\"",
        "quiet_hours = \"\"",
        "timezone = \"Europe/Berlin\"",
        "trusted_proxies = \"10.0.0.5/32, 172.16.0.0/12\"",
        "admin_email = \"admin@clinic.example\"",
    ] {
        assert!(printed.contains(line), "missing {line} in\n{printed}");
    }
    let again = Folder::new(&[("default.toml", &printed)]);
    let back = Settings::load_env(&again.0, "none").unwrap();
    assert_eq!(back.to_toml().unwrap(), printed);
    assert_eq!(back.booking.min_notice, s.booking.min_notice);
    assert_eq!(back.reminders.quiet_hours, s.reminders.quiet_hours);
    assert_eq!(
        back.rate_limit.trusted_proxies,
        s.rate_limit.trusted_proxies
    );
    // The defaults' quiet hours print as they are written.
    let defaults = with_default("[server]", "[server]")
        .unwrap()
        .to_toml()
        .unwrap();
    assert!(
        defaults.contains("quiet_hours = \"21:00-08:00\""),
        "{defaults}"
    );
}

#[test]
fn printed_settings_mask_secrets() {
    let mut s = with_default("[server]", "[server]").unwrap();
    s.database.url = "postgres://clinic:pg-secret-1@db.internal:5432/dermadesk"
        .to_owned()
        .into();
    s.mail.smtp_password = "smtp-secret-2".to_owned().into();
    s.bootstrap.admin_email = Some("admin@clinic.example".to_owned());
    s.bootstrap.admin_password = Some("admin-secret-3".to_owned().into());
    let printed = s.to_toml().unwrap();
    for secret in ["pg-secret-1", "smtp-secret-2", "admin-secret-3"] {
        assert!(!printed.contains(secret), "{secret} shows in\n{printed}");
    }
    assert!(
        printed.contains("url = \"postgres://clinic:[redacted]@db.internal:5432/dermadesk\""),
        "{printed}"
    );
    assert!(
        printed.contains("smtp_password = \"[redacted]\""),
        "{printed}"
    );
    assert!(
        printed.contains("admin_password = \"[redacted]\""),
        "{printed}"
    );
    assert_eq!(
        dermadesk::config::mask_url("postgres://u@h/db?sslmode=require&password=p"),
        "postgres://u@h/db?sslmode=require&password=[redacted]"
    );
}

#[test]
fn durations_print_as_one_exact_unit() {
    use dermadesk::config::format_duration;
    use std::time::Duration;
    for (secs, want) in [
        (0, "0s"),
        (2, "2s"),
        (90, "90s"),
        (120, "2m"),
        (1800, "30m"),
        (5400, "90m"),
        (86_400, "24h"),
        (3 * 86_400, "72h"),
        (7 * 86_400, "7d"),
        (180 * 86_400, "180d"),
        (86_401, "86401s"),
    ] {
        assert_eq!(format_duration(Duration::from_secs(secs)), want);
        assert_eq!(humantime::parse_duration(want).unwrap().as_secs(), secs);
    }
    assert_eq!(format_duration(Duration::from_millis(1500)), "1500ms");
}
