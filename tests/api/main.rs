//! dermadesk's integration tests: one binary, a module per capability. Every scenario that
//! touches storage runs on SQLite and on PostgreSQL (see `on_both!`).

mod helpers;
mod logs;
mod smtp;

mod availability;
mod availability_props;
mod booking_gates;
mod clients;
mod concurrency;
mod config;
mod courses;
mod desk;
mod errors;
mod messages;
mod openapi;
mod ops;
mod screening;
mod staff;
mod templates;
