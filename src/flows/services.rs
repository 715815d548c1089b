//! The services' catalogue: what clients see listed (name, treatment length, price) and the
//! treatment lengths that availability, booking and reschedule place visits with. Read from
//! the database with the calendar data of each request, so a change shows on every instance at
//! once (through `booking.availability_cache` for cached availability answers). Visits already
//! booked keep the end they were booked with.
use serde_json::json;
use tracing::info;

use crate::{
    domain::{
        ids::StaffUserId,
        service::{self, Durations, Offer, Price, Service},
        time::to_db,
    },
    error::{ApiError, ApiResult},
    flows::audit::{self, Actor},
    state::AppState,
    store::{self, entities::service_offer},
};

fn offer(row: service_offer::Model) -> Offer {
    Offer {
        service: row.code,
        name: row.name,
        duration: Durations::length(i64::from(row.duration_minutes), row.code),
        price: match (row.price_minor, row.price_currency) {
            (Some(amount_minor), Some(currency)) => Some(Price {
                amount_minor,
                currency,
            }),
            _ => None,
        },
    }
}

/// The catalogue, in the contract's order of services.
pub async fn list(state: &AppState) -> ApiResult<Vec<Offer>> {
    let mut offers: Vec<Offer> = store::services::list(&state.db)
        .await?
        .into_iter()
        .map(offer)
        .collect();
    offers.sort_by_key(|o| Service::ALL.iter().position(|s| *s == o.service));
    Ok(offers)
}

/// What an admin changes; `None` keeps the value. `price: Some(None)` removes the price.
#[derive(Debug, Default)]
pub struct Change {
    pub name: Option<String>,
    pub duration_minutes: Option<i64>,
    pub price: Option<Option<Price>>,
}

/// Changes one service's name, length or price (admin). Checked by `domain::service`; audited
/// as `service.update` with the old and new values; the availability cache is dropped.
pub async fn update(
    state: &AppState,
    staff: StaffUserId,
    code: Service,
    change: Change,
) -> ApiResult<Offer> {
    let name = change
        .name
        .as_deref()
        .map(service::check_name)
        .transpose()
        .map_err(|m| ApiError::invalid("name", m))?;
    let duration = change
        .duration_minutes
        .map(|m| service::check_duration(m, state.settings.booking.slot_step))
        .transpose()
        .map_err(|m| ApiError::invalid("duration_minutes", m))?;
    let price = change
        .price
        .map(|p| p.map(service::check_price).transpose())
        .transpose()
        .map_err(|m| ApiError::invalid("price", m))?;
    let tx = store::begin_write(&state.db).await?;
    let before = store::services::find_locked(&tx, code)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut row = before.clone();
    if let Some(name) = name {
        row.name = name;
    }
    if let Some(d) = duration {
        row.duration_minutes = (d.as_secs() / 60) as i32;
    }
    if let Some(p) = price {
        row.price_minor = p.map(|p| p.amount_minor);
        row.price_currency = p.map(|p| p.currency);
    }
    row.updated_at = to_db(state.now());
    store::services::update(&tx, row.clone()).await?;
    let (old, new) = (offer(before), offer(row));
    audit::record(
        &tx,
        state,
        Actor::Staff(staff),
        "service.update",
        "service",
        uuid::Uuid::nil(),
        Some(json!({
            "service": code.code(),
            "from": {"name": old.name, "duration_minutes": old.duration.as_secs() / 60, "price": old.price},
            "to": {"name": new.name, "duration_minutes": new.duration.as_secs() / 60, "price": new.price},
        })),
    )
    .await?;
    tx.commit().await?;
    state.slot_cache.invalidate();
    info!(
        service = code.code(),
        duration_minutes = new.duration.as_secs() / 60,
        "service changed"
    );
    Ok(new)
}
