//! A local OpenID Connect provider (`oidc-provider-mock` from PyPI, in the
//! repo's venv) and an app that signs people in with it.

use std::process::Stdio;

use super::{App, Process, spawn_in, venv_server};

pub const CLIENT_ID: &str = "ecs-wizard-tests";
pub const CLIENT_SECRET: &str = "client-secret-for-tests";

pub struct Provider {
    pub url: String,
    _process: Process,
}

/// Starts the provider. Fails loudly, with how to install it, when missing.
pub fn provider() -> Provider {
    let (url, process) = venv_server(
        "oidc-provider-mock",
        "OIDC_PROVIDER_MOCK",
        ".venv/bin/pip install 'oidc-provider-mock>=0.3,<0.4'",
        &[],
        // Every authorization request must carry a nonce, as this app's do.
        &["--require-nonce", "true"],
        "/.well-known/openid-configuration",
    );
    Provider {
        url,
        _process: process,
    }
}

impl Provider {
    /// Makes `sub` a person with these claims (email, groups…).
    pub async fn person(&self, sub: &str, claims: serde_json::Value) {
        let answer = reqwest::Client::new()
            .put(format!("{}/users/{sub}", self.url))
            .header("content-type", "application/json")
            .body(claims.to_string())
            .send()
            .await
            .expect("PUT a user");
        assert!(answer.status().is_success(), "{}", answer.status());
    }
}

/// The app signing people in with `provider`: members of the group
/// `platform-admins` are admins, anyone @example.com a deployer.
pub fn app_with_provider(provider: &Provider, flags: &[&str]) -> App {
    let data_dir = tempfile::tempdir().expect("tempdir");
    let secret_file = data_dir.path().join("client-secret");
    std::fs::write(&secret_file, format!("{CLIENT_SECRET}\n")).expect("secret file");
    let secret_file = secret_file.display().to_string();
    let mut all = vec![
        "--oidc-issuer",
        &provider.url,
        "--oidc-client-id",
        CLIENT_ID,
        "--oidc-client-secret-file",
        &secret_file,
        "--oidc-admins",
        "platform-admins",
        "--oidc-deployers",
        "@example.com",
    ];
    all.extend_from_slice(flags);
    spawn_in(data_dir, None, "warn", Stdio::inherit(), &all)
}
