//! One function per use case: checks the input against the domain rules, runs the change in one
//! transaction, and returns plain data. HTTP handlers only translate to and from these.

pub mod aftercare;
pub mod audit;
pub mod auth;
pub mod availability;
pub mod booking;
pub mod calendar;
pub mod clients;
pub mod closures;
pub mod consent;
pub mod lifecycle;
pub mod manage;
pub mod messages;
pub mod notes;
pub mod ops;
pub mod practitioners;
pub mod screening;
pub mod services;
pub mod staff;
pub mod visits;
