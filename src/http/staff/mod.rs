//! Staff routes, a file per resource; who may call each route is checked in its handler.
//!
//! | file | routes | roles |
//! |---|---|---|
//! | `auth` | `POST /auth/login`, `POST /auth/logout` | anyone with an account (logout: the session's own token) |
//! | `users` | `/staff/users`, `/staff/users/{id}/role` | admin |
//! | `practitioners` | `/staff/practitioners`, hours, time off | read: all staff; write: admin, reception |
//! | `appointments` | booking for a client, check-in, complete, no-show, cancel, reschedule (and its course-spacing window) | admin, reception (complete: practitioners too) |
//! | `calendar` | `/staff/calendar` | all staff (practitioners: their own) |
//! | `screenings` | list, read (audited), review | read: all staff; review: admin, practitioner |
//! | `messages` | the outbox, retry | admin, reception |
//! | `clients` | search (`GET /staff/clients?q=`), a client's screening history, export, erasure | search: admin, reception; history: all staff (audited); export, erasure: admin |
//! | `audit` | the audit log | admin |
//! | `alerts` | `/staff/alerts`, `/staff/alerts/{id}/acknowledge` (aftercare) | read: all staff; acknowledge: admin, practitioner |
//! | `closures` | `/staff/closures` (clinic-wide closure days) | read: all staff; write: admin |
//! | `services` | `PUT /staff/services/{code}` (name, length, price; read: the public `GET /services`) | admin |
//! | `clinical` | `/staff/appointments/{id}/consent`, `/staff/appointments/{id}/notes`, `/staff/courses/{id}/notes` | consent: all staff; notes write: admin, practitioner; notes read: all staff (audited) |

pub mod alerts;
pub mod appointments;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod clients;
pub mod clinical;
pub mod closures;
pub mod messages;
pub mod practitioners;
pub mod screenings;
pub mod services;
pub mod users;

use crate::flows::auth::Role;

/// The front desk.
const DESK: &[Role] = &[Role::Admin, Role::Reception];
/// Everyone who handles a visit.
const CLINICAL: &[Role] = &[Role::Admin, Role::Reception, Role::Practitioner];
/// Those who may clear a client medically.
const CLINICIANS: &[Role] = &[Role::Admin, Role::Practitioner];
/// Administration only.
const ADMIN: &[Role] = &[Role::Admin];
