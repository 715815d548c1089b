//! Builds the service on a bound listener (port 0 picks a free port) and wires its state.

use std::{net::TcpListener, sync::Arc};

use actix_web::{App, HttpMessage, HttpServer, dev::Server, middleware, web};
use anyhow::Context;
use tracing::{info, warn};
use tracing_actix_web::{RequestId, TracingLogger};

use crate::{
    config::Settings,
    dispatch::{self, Dispatcher},
    flows, http,
    mail::{self, Mailer},
    state::AppState,
    store,
};

/// A built, not yet running, service.
pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
    dispatcher: Arc<Dispatcher>,
}

impl Application {
    /// Connects, migrates, bootstraps, binds.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let db = store::connect(&settings.database).await?;
        if settings.database.migrate_on_start {
            store::migrate(&db).await?;
        }
        let state = AppState::new(db, settings);
        flows::auth::bootstrap_admin(&state).await?;
        if store::staff::count_users(&state.db).await? == 0 {
            // A first start: nobody can log in, so nothing can be set up through the API.
            warn!(
                "no staff user exists yet: create the first admin with \
                 `DERMADESK_PASSWORD=... dermadesk create-staff --email EMAIL --role admin`, \
                 or set APP__BOOTSTRAP__ADMIN_EMAIL and APP__BOOTSTRAP__ADMIN_PASSWORD and restart; \
                 then add practitioners and their working hours (README, Quick start)"
            );
        }
        mail::templates::check().context("email templates")?;
        let dispatcher = Dispatcher::new(state.clone(), Mailer::new(&state.settings.mail)?);
        let addr = format!(
            "{}:{}",
            state.settings.server.host, state.settings.server.port
        );
        let listener = TcpListener::bind(&addr).with_context(|| format!("binding {addr}"))?;
        let port = listener.local_addr()?.port();
        info!(address = %listener.local_addr()?, "listening");
        let server = serve(listener, state.clone())?;
        Ok(Self {
            port,
            server,
            state,
            dispatcher,
        })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The shared state (tests reach the database through it).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The outbox dispatcher (tests drive it directly).
    pub fn dispatcher(&self) -> Arc<Dispatcher> {
        self.dispatcher.clone()
    }

    /// Runs until stopped. SIGINT/SIGTERM: the server stops accepting and finishes in-flight
    /// requests; then the dispatcher stops claiming and finishes or hands back what it holds.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        tokio::spawn(stop_on_signal(self.server.handle()));
        let r = &self.state.settings.reminders;
        let mut scheduler = if r.enabled {
            Some(dispatch::start(self.dispatcher.clone(), r.tick).await?)
        } else {
            None
        };
        let served = self.server.await;
        info!("server stopped; stopping the dispatcher");
        if let Some(s) = scheduler.as_mut() {
            let _ = s.shutdown().await;
        }
        self.dispatcher.stop().await;
        served.context("http server")
    }
}

/// Both signals stop gracefully (actix's own handling treats SIGINT as a forced stop, which
/// would cut off in-flight requests when an operator presses Ctrl-C).
async fn stop_on_signal(server: actix_web::dev::ServerHandle) {
    let name = shutdown_signal().await;
    info!(
        signal = name,
        "stopping gracefully: finishing in-flight requests (up to 30s)"
    );
    server.stop(true).await;
}

#[cfg(unix)]
async fn shutdown_signal() -> &'static str {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut int), Ok(mut term)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        warn!("could not install signal handlers; stop the process with SIGKILL");
        return std::future::pending().await;
    };
    tokio::select! {
        _ = int.recv() => "SIGINT",
        _ = term.recv() => "SIGTERM",
    }
}

#[cfg(not(unix))]
async fn shutdown_signal() -> &'static str {
    let _ = tokio::signal::ctrl_c().await;
    "Ctrl-C"
}

fn serve(listener: TcpListener, state: AppState) -> anyhow::Result<Server> {
    let limits = web::Data::new(http::limit::Limits::new(&state.settings.rate_limit));
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .wrap(middleware::from_fn(http::ops::measure))
            .wrap(middleware::from_fn(http::limit::enforce))
            .wrap(middleware::from_fn(request_id_header))
            .wrap(TracingLogger::<crate::telemetry::RequestSpan>::new())
            .app_data(data.clone())
            .app_data(limits.clone())
            .configure(http::routes)
    })
    .listen(listener)?
    .disable_signals()
    .shutdown_timeout(30)
    .run();
    Ok(server)
}

/// Echoes the request id of the tracing span as `X-Request-Id`, so a client can quote it.
async fn request_id_header(
    req: actix_web::dev::ServiceRequest,
    next: middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    let id = req.extensions().get::<RequestId>().map(ToString::to_string);
    let mut res = next.call(req).await?;
    if let Some(id) = id
        && let Ok(value) = actix_web::http::header::HeaderValue::from_str(&id)
    {
        res.headers_mut().insert(
            actix_web::http::header::HeaderName::from_static("x-request-id"),
            value,
        );
    }
    Ok(res)
}
