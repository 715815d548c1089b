//! dermadesk's benchmarks, crash test and soak. `bench/run` builds and runs them:
//!
//! - `bench/run` (or `all`): ceilings, booking, availability, contention, dispatch, memory
//! - `bench/run booking`, `bench/run availability`: one phase only, for quick experiments
//! - `bench/run crash [rounds]`: kill -9 the server while 3,000 messages are due
//! - `bench/run soak [minutes]`: mixed load with the dispatcher on
//!
//! Every figure is printed; BENCHMARKS.md records a run.

mod api;
mod harness;
mod scenarios;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // The bare server runs its own actix runtime, outside tokio's.
    if args.first().map(String::as_str) == Some("bare-server") {
        let port = args.get(1).and_then(|p| p.parse().ok()).unwrap_or(18_999);
        return scenarios::bare_server(port);
    }
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run(args))
}

async fn run(args: Vec<String>) -> anyhow::Result<()> {
    let arg = |i: usize, default: u64| args.get(i).and_then(|n| n.parse().ok()).unwrap_or(default);
    match args.first().map(String::as_str) {
        Some("crash") => scenarios::crash(arg(1, 10) as usize).await,
        Some("soak") => scenarios::soak(arg(1, 10)).await,
        None | Some("all") => scenarios::all().await,
        Some("booking") => scenarios::booking_only().await,
        Some("availability") => scenarios::availability_only().await,
        Some(other) => {
            anyhow::bail!(
                "unknown command {other:?}: use all, booking, availability, crash [rounds] or soak [minutes]"
            )
        }
    }
}
