//! dermadesk: booking and aftercare messaging for a microneedling clinic.
//!
//! `domain` holds the pure rules, `store` the database, `flows` the use cases, `http` the thin
//! handlers; `app` wires them into an actix-web server.

pub mod app;
pub mod cli;
pub mod config;
pub mod demo;
pub mod dispatch;
pub mod domain;
pub mod error;
pub mod flows;
pub mod http;
pub mod mail;
pub mod metrics;
pub mod secret;
pub mod slot_cache;
pub mod state;
pub mod store;
pub mod telemetry;
