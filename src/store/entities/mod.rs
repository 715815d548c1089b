//! sea-orm entities, one per table; behaviour lives in the `store` modules beside this folder.

pub mod appointment;
pub mod audit_log;
pub mod booking;
pub mod client;
pub mod outbox;
pub mod practitioner;
pub mod screening;
pub mod staff_session;
pub mod staff_user;
pub mod time_off;
pub mod working_hours;
