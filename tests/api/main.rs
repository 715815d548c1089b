//! dermadesk's integration tests: one binary, a module per capability. Every scenario that
//! touches storage runs on SQLite and on PostgreSQL (see `on_both!`).

// `clippy.toml` allows these in `#[test]` functions only; the helpers and scenarios here are
// test code too, where a failed unwrap is a failed test with its message.
#![expect(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod helpers;
mod logs;
mod smtp;
mod startup;

mod aftercare;
mod audit;
mod availability;
mod availability_props;
mod booking_gates;
mod client_search;
mod clients;
mod closures;
mod concurrency;
mod config;
mod consent;
mod courses;
mod desk;
mod desk_reconfirm;
mod desk_session;
mod errors;
mod links;
mod messages;
mod notes;
mod openapi;
mod ops;
mod pages;
mod schedules;
mod screening;
mod screening_dates;
mod services;
mod spacing;
mod staff;
mod storage;
mod templates;
