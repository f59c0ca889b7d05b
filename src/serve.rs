//! Serving the app on a bound listener: plain HTTP, or HTTPS with the
//! certificate and key given (rustls, through axum-server). Either way
//! each request knows its TCP peer, for the audit log and --trusted-proxy.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::TcpListener;

/// Requests under way get this long to finish after a shutdown signal.
const DRAIN: Duration = Duration::from_secs(10);

pub async fn serve<F>(
    listener: TcpListener,
    app: Router,
    tls: Option<(&Path, &Path)>,
    shutdown: F,
) -> anyhow::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    let app = app.into_make_service_with_connect_info::<SocketAddr>();
    let Some((cert, key)) = tls else {
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await?;
        return Ok(());
    };
    let config = axum_server::tls_rustls::RustlsConfig::from_config(server_config(cert, key)?);
    let handle = axum_server::Handle::new();
    tokio::spawn({
        let handle = handle.clone();
        async move {
            shutdown.await;
            handle.graceful_shutdown(Some(DRAIN));
        }
    });
    let listener = listener.into_std()?;
    axum_server::from_tcp_rustls(listener, config)
        .handle(handle)
        .serve(app)
        .await?;
    Ok(())
}

/// TLS 1.2 and 1.3 with the certificate chain and key from PEM files.
pub fn server_config(cert: &Path, key: &Path) -> anyhow::Result<Arc<rustls::ServerConfig>> {
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .with_context(|| format!("--tls-cert {}: no PEM certificate read", cert.display()))?;
    anyhow::ensure!(
        !chain.is_empty(),
        "--tls-cert {}: the file holds no certificate",
        cert.display()
    );
    let key = PrivateKeyDer::from_pem_file(key)
        .with_context(|| format!("--tls-key {}: no PEM private key read", key.display()))?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .context("--tls-cert and --tls-key do not make a usable pair")?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}
