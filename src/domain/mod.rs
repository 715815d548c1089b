//! Pure rules, no IO: screening, slots, courses, statuses, ids and times.

pub mod aftercare;
pub mod audit;
pub mod availability;
pub mod client;
pub mod consent;
pub mod course;
pub mod ids;
pub mod messages;
pub mod notes;
pub mod role;
pub mod screening;
pub mod service;
pub mod status;
pub mod time;
