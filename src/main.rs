use clap::Parser;
use ecs_wizard::config::Config;
use tokio::net::TcpListener;
use tracing::level_filters::LevelFilter;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::prelude::*;
use tracing_subscriber::{EnvFilter, fmt};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let wanted = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::registry()
        .with(
            fmt::layer()
                .with_writer(std::io::stderr)
                .with_filter(wanted),
        )
        .with(never_secrets())
        .init();
    let config = Config::parse();
    if let Some(command) = &config.command {
        match ecs_wizard::cli::run(command, &config).await {
            Ok(said) => println!("{said}"),
            Err(error) => {
                eprintln!("ecs-wizard: {error:#}");
                std::process::exit(2);
            }
        }
        return Ok(());
    }
    if let Err(error) = config.check() {
        eprintln!("ecs-wizard: {error}");
        std::process::exit(2);
    }
    let listener = TcpListener::bind(config.socket_addr()).await?;
    let addr = listener.local_addr()?;
    let app = ecs_wizard::build_app(&config, addr).await?;
    let tls = config.tls_files();
    let scheme = if tls.is_some() { "https" } else { "http" };
    println!("ecs-wizard is serving on {scheme}://{addr}/");
    let tls = tls
        .as_ref()
        .map(|(cert, key)| (cert.as_path(), key.as_path()));
    ecs_wizard::serve::serve(listener, app, tls, shutdown()).await
}

/// Below INFO, the AWS SDK, its HTTP stack and the TLS and HTTP libraries log
/// request and response headers and bodies: the signed Authorization header,
/// and the drafts' environment values inside a RegisterTaskDefinition body.
/// Whatever RUST_LOG asks for, only this app's own code and tower-http (which
/// logs method, path and status) may go below INFO.
fn never_secrets() -> Targets {
    Targets::new()
        .with_default(LevelFilter::INFO)
        // The credential chain warns once per provider it tries (IMDS with
        // its debug structs); the app says it once, in words.
        .with_target("aws_config", LevelFilter::ERROR)
        .with_target("ecs_wizard", LevelFilter::TRACE)
        .with_target("tower_http", LevelFilter::TRACE)
}

/// Ctrl-C, or SIGTERM from a service manager or container runtime.
async fn shutdown() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
