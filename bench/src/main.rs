//! dermadesk's benchmarks, crash test and soak. `bench/run` builds and runs them:
//!
//! - `bench/run` (or `all`): ceilings, booking, availability, contention, dispatch, memory
//! - `bench/run crash [rounds]`: kill -9 the server while 3,000 messages are due
//! - `bench/run soak [minutes]`: mixed load with the dispatcher on
//!
//! Every figure is printed; BENCHMARKS.md records a run.

mod api;
mod harness;
mod scenarios;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("bare-server") => {
            scenarios::bare_server(args.get(1).and_then(|p| p.parse().ok()).unwrap_or(18_999))
        }
        Some("crash") => {
            scenarios::crash(args.get(1).and_then(|n| n.parse().ok()).unwrap_or(10)).await
        }
        Some("soak") => {
            scenarios::soak(args.get(1).and_then(|n| n.parse().ok()).unwrap_or(10)).await
        }
        None | Some("all") => scenarios::all().await,
        Some(other) => {
            anyhow::bail!("unknown command {other:?}: use all, crash [rounds] or soak [minutes]")
        }
    }
}
