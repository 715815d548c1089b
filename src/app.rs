//! Builds the service on a bound listener (port 0 picks a free port) and wires its state.

use std::{net::TcpListener, sync::Arc};

use actix_web::{App, HttpMessage, HttpServer, dev::Server, middleware, web};
use anyhow::Context;
use tracing::info;
use tracing_actix_web::{RequestId, TracingLogger};

use crate::{config::Settings, flows, http, state::AppState, store};

/// A built, not yet running, service.
pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
}

impl Application {
    /// Connects, migrates, bootstraps, binds.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let db = store::connect(&settings.database).await?;
        if settings.database.migrate_on_start {
            store::migrate(&db).await?;
        }
        let state = AppState {
            db,
            settings: Arc::new(settings),
        };
        flows::auth::bootstrap_admin(&state).await?;
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

    /// Runs until stopped (SIGINT/SIGTERM stop accepting and finish in-flight requests).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

fn serve(listener: TcpListener, state: AppState) -> anyhow::Result<Server> {
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .wrap(middleware::from_fn(request_id_header))
            .wrap(TracingLogger::default())
            .app_data(data.clone())
            .configure(http::routes)
    })
    .listen(listener)?
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
