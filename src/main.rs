//! `dermadesk`: loads the settings, starts logging, builds the service and runs it.

use dermadesk::{app::Application, config::Settings, telemetry};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let settings = match Settings::load() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("dermadesk: {e}");
            std::process::exit(2);
        }
    };
    telemetry::init(&settings.log);
    let app = Application::build(settings).await?;
    app.run_until_stopped().await?;
    Ok(())
}
