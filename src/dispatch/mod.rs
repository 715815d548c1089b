//! The outbox dispatcher: claims due messages (safely across instances), sends them, records
//! the outcome. tokio-cron-scheduler only ticks it; the database holds the schedule.

pub mod render;

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use futures_util::StreamExt;
use tokio_cron_scheduler::{Job, JobScheduler};
use tracing::{Instrument, info, info_span, warn};
use uuid::Uuid;

use crate::{
    domain::{
        client::mask_email,
        messages::backoff,
        time::{sdur, to_db},
    },
    mail::{Mailer, SendError},
    state::AppState,
    store::{
        self,
        entities::outbox,
        outbox::{Outcome, finish},
    },
};

/// What one run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    pub claimed: usize,
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
    pub expired: usize,
    pub released: usize,
}

/// One dispatcher per process.
pub struct Dispatcher {
    state: AppState,
    mailer: Mailer,
    running: tokio::sync::Mutex<()>,
    stopping: AtomicBool,
}

enum Delivered {
    Sent,
    Retried,
    Failed,
    Expired,
    Released,
}

impl Dispatcher {
    /// A dispatcher sending through `mailer`.
    pub fn new(state: AppState, mailer: Mailer) -> Arc<Self> {
        Arc::new(Self {
            state,
            mailer,
            running: tokio::sync::Mutex::new(()),
            stopping: AtomicBool::new(false),
        })
    }

    /// Sends everything due now, round after round, until nothing is due. A run already in
    /// progress makes this call return at once (ticks never overlap).
    pub async fn run_once(&self) -> anyhow::Result<Report> {
        let Ok(_guard) = self.running.try_lock() else {
            return Ok(Report::default());
        };
        let r = &self.state.settings.reminders;
        let mut report = Report::default();
        let now = self.state.now();
        if r.quiet_hours.next_allowed(now, self.state.zone()) == now {
            // Alerts nobody acknowledged become due outbox rows first, so this run sends them.
            if let Err(e) = crate::flows::aftercare::email_overdue_alerts(&self.state, now).await {
                crate::flows::aftercare::log_failure(&e);
            }
        }
        while !self.stopping.load(Ordering::Relaxed) {
            let now = self.state.now();
            if r.quiet_hours.next_allowed(now, self.state.zone()) != now {
                break;
            }
            report.expired +=
                store::outbox::expire_overdue(&self.state.db, to_db(now)).await? as usize;
            let token = Uuid::new_v4();
            let rows = store::outbox::claim(
                &self.state.db,
                token,
                to_db(now),
                to_db(now + sdur(r.lease)),
                u64::from(r.batch_size),
            )
            .await?;
            if rows.is_empty() {
                break;
            }
            report.claimed += rows.len();
            let full = rows.len() >= r.batch_size as usize;
            let results: Vec<anyhow::Result<Delivered>> = futures_util::stream::iter(rows)
                .map(|row| self.deliver(row, token))
                .buffer_unordered(r.concurrency as usize)
                .collect()
                .await;
            for res in results {
                match res? {
                    Delivered::Sent => report.sent += 1,
                    Delivered::Retried => report.retried += 1,
                    Delivered::Failed => report.failed += 1,
                    Delivered::Expired => report.expired += 1,
                    Delivered::Released => report.released += 1,
                }
            }
            if !full {
                break;
            }
        }
        if report.claimed > 0 {
            info!(?report, "dispatch round");
        }
        Ok(report)
    }

    async fn deliver(&self, row: outbox::Model, token: Uuid) -> anyhow::Result<Delivered> {
        let span = info_span!("deliver", outbox_id = %row.id, kind = row.kind.as_str(),
            appointment_id = %row.appointment_id, to = %mask_email(&row.recipient), attempt = row.attempts);
        async move {
            let db = &self.state.db;
            let r = &self.state.settings.reminders;
            let now = self.state.now();
            let record = |outcome| finish(db, row.id, token, outcome, to_db(self.state.now()));
            let (outcome, result) = if self.stopping.load(Ordering::Relaxed) {
                (Outcome::Released, Delivered::Released)
            } else if row.send_by < to_db(now) {
                (Outcome::Expired, Delivered::Expired)
            } else if row.attempts > r.max_attempts as i32 {
                // Claimed again after crashes or lost leases more often than allowed.
                (
                    Outcome::Failed {
                        error: "gave up: too many interrupted attempts",
                    },
                    Delivered::Failed,
                )
            } else {
                return self.send(&row, token).await;
            };
            if !record(outcome).await? {
                warn!("claim lost before the outcome was recorded");
            }
            Ok(result)
        }
        .instrument(span)
        .await
    }

    async fn send(&self, row: &outbox::Model, token: Uuid) -> anyhow::Result<Delivered> {
        let db = &self.state.db;
        let r = &self.state.settings.reminders;
        let result = match render::outgoing(&self.state, row, self.state.now()).await {
            Ok(out) => match self.mailer.compose(&out) {
                Ok(message) => self.mailer.send(message).await,
                Err(e) => Err(e),
            },
            Err(render::RenderError::Db(e)) => return Err(e.into()),
            Err(e) => Err(SendError::Permanent(e.to_string())),
        };
        let now = self.state.now();
        let m = &self.state.metrics;
        let failure = |outcome: &str| {
            let labels = crate::metrics::FailureLabels {
                kind: row.kind.as_str().to_owned(),
                outcome: outcome.to_owned(),
            };
            m.send_failures.get_or_create(&labels).inc();
        };
        let (outcome, delivered) = match &result {
            Ok(()) => {
                m.messages_sent.inc();
                m.dispatch_lateness
                    .observe((to_db(now) - row.due_at).max(0) as f64);
                (Outcome::Sent, Delivered::Sent)
            }
            Err(SendError::Transient(e)) if row.attempts < r.max_attempts as i32 => {
                let delay = backoff(row.attempts as u32, r.retry_base, r.retry_max, jitter());
                let at = r
                    .quiet_hours
                    .next_allowed(now + sdur(delay), self.state.zone());
                warn!(error = %e, retry_in = ?delay, "send failed, will retry");
                failure("retry");
                (
                    Outcome::Retry {
                        at: to_db(at),
                        error: e,
                    },
                    Delivered::Retried,
                )
            }
            Err(SendError::Transient(e) | SendError::Permanent(e)) => {
                warn!(error = %e, "send failed for good");
                failure("failed");
                (Outcome::Failed { error: e }, Delivered::Failed)
            }
        };
        if !finish(db, row.id, token, outcome, to_db(now)).await? {
            warn!("claim lost before the outcome was recorded (another instance took over)");
        } else if matches!(delivered, Delivered::Sent) {
            info!("sent");
        }
        Ok(delivered)
    }

    /// Stops claiming; waits for the run in progress, which hands back what it has not sent.
    pub async fn stop(&self) {
        self.stopping.store(true, Ordering::Relaxed);
        let _ = self.running.lock().await;
    }
}

fn jitter() -> f64 {
    0.5 + rand::random::<f64>() * 0.5
}

/// Starts the tick: every `reminders.tick`, one `run_once`.
pub async fn start(dispatcher: Arc<Dispatcher>, tick: Duration) -> anyhow::Result<JobScheduler> {
    let scheduler = JobScheduler::new().await?;
    let job = Job::new_repeated_async(tick, move |_id, _lock| {
        let d = dispatcher.clone();
        Box::pin(async move {
            if let Err(e) = d.run_once().await {
                warn!(error = format!("{e:#}"), "dispatch run failed");
            }
        })
    })?;
    scheduler.add(job).await?;
    scheduler.start().await?;
    Ok(scheduler)
}
