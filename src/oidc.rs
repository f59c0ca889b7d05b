//! Signing in with the company's identity provider (OpenID Connect): the
//! authorization code flow with PKCE, a state and a nonce, and the ID token
//! verified against the issuer's keys, all by the `openidconnect` crate.
//!
//! The provider's metadata and keys are read on first use and again after
//! an hour (keys rotate), never at start-up: an unreachable provider must
//! not keep the app from starting, and local accounts go on working.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreProviderMetadata,
    CoreResponseType, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AuthenticationFlow, AuthorizationCode, Client, ClientId, ClientSecret,
    CsrfToken, EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdTokenFields,
    IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    StandardErrorResponse, StandardTokenResponse,
};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use crate::model::access::Claims;

/// How long the provider's metadata and keys are used before reading again.
const METADATA_TTL: Duration = Duration::from_secs(3600);
/// Every call to the provider gives up after this.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Claims beyond the standard ones, kept whole: the groups claim's name is
/// a setting.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OtherClaims {
    #[serde(flatten)]
    claims: HashMap<String, serde_json::Value>,
}

impl AdditionalClaims for OtherClaims {}

type Fields = IdTokenFields<
    OtherClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type TokenResponse = StandardTokenResponse<Fields, CoreTokenType>;
type ProviderClient = Client<
    OtherClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    TokenResponse,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// What the app was configured with.
#[derive(Debug, Clone)]
pub struct OidcSettings {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// `https://ecs.example.internal/signin/oidc/callback`.
    pub redirect_url: String,
    pub groups_claim: String,
}

/// A sign-in under way: kept by the app until the provider sends the
/// person back. None of it is shown to anyone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("the identity provider could not be reached or read: {0}")]
    Provider(String),
    #[error("the identity provider refused the code: {0}")]
    Exchange(String),
    #[error("the ID token was refused: {0}")]
    IdToken(String),
    #[error("the settings are not usable: {0}")]
    Settings(String),
}

pub struct Oidc {
    settings: OidcSettings,
    http: openidconnect::reqwest::Client,
    client: Mutex<Option<(Instant, ProviderClient)>>,
}

impl Oidc {
    pub fn new(settings: OidcSettings) -> Result<Oidc, OidcError> {
        let http = openidconnect::reqwest::ClientBuilder::new()
            // Following redirects would let a provider's answer send this
            // server anywhere (SSRF).
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(TIMEOUT)
            .build()
            .map_err(|e| OidcError::Settings(e.to_string()))?;
        IssuerUrl::new(settings.issuer.clone()).map_err(|e| OidcError::Settings(e.to_string()))?;
        RedirectUrl::new(settings.redirect_url.clone())
            .map_err(|e| OidcError::Settings(e.to_string()))?;
        Ok(Oidc {
            settings,
            http,
            client: Mutex::new(None),
        })
    }

    async fn client(&self) -> Result<ProviderClient, OidcError> {
        let mut kept = self.client.lock().await;
        if let Some((read_at, client)) = kept.as_ref()
            && read_at.elapsed() < METADATA_TTL
        {
            return Ok(client.clone());
        }
        let issuer = IssuerUrl::new(self.settings.issuer.clone())
            .map_err(|e| OidcError::Settings(e.to_string()))?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| OidcError::Provider(chain(&e)))?;
        let redirect = RedirectUrl::new(self.settings.redirect_url.clone())
            .map_err(|e| OidcError::Settings(e.to_string()))?;
        let client = ProviderClient::from_provider_metadata(
            metadata,
            ClientId::new(self.settings.client_id.clone()),
            Some(ClientSecret::new(self.settings.client_secret.clone())),
        )
        .set_redirect_uri(redirect);
        *kept = Some((Instant::now(), client.clone()));
        Ok(client)
    }

    /// Where to send the browser, and what to keep until it comes back.
    pub async fn begin(&self) -> Result<(String, Pending), OidcError> {
        let client = self.client().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge)
            .url();
        let pending = Pending {
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        };
        Ok((url.to_string(), pending))
    }

    /// Trades the code for tokens and verifies the ID token: signature by
    /// the issuer's keys, issuer, audience, expiry and the nonce sent.
    pub async fn finish(&self, code: &str, pending: &Pending) -> Result<Claims, OidcError> {
        let client = self.client().await?;
        let tokens = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| OidcError::Settings(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(|e| OidcError::Exchange(chain(&e)))?;
        let id_token = tokens
            .extra_fields()
            .id_token()
            .ok_or_else(|| OidcError::IdToken("the provider sent no ID token".into()))?;
        let verified = id_token
            .claims(
                &client.id_token_verifier(),
                &Nonce::new(pending.nonce.clone()),
            )
            .map_err(|e| OidcError::IdToken(chain(&e)))?;
        let email = verified.email().map(|e| e.as_str().to_string());
        let groups = groups_in(
            verified
                .additional_claims()
                .claims
                .get(&self.settings.groups_claim),
        );
        Ok(Claims {
            subject: verified.subject().as_str().to_string(),
            email,
            email_verified: verified.email_verified() != Some(false),
            groups,
        })
    }
}

/// A groups claim is a list of names, or one name.
fn groups_in(claim: Option<&serde_json::Value>) -> Vec<String> {
    match claim {
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .filter_map(|item| item.as_str().map(str::to_string))
            .take(1000)
            .collect(),
        Some(serde_json::Value::String(one)) => vec![one.clone()],
        _ => Vec::new(),
    }
}

/// An error and its causes, in one line.
fn chain(error: &dyn std::error::Error) -> String {
    let mut words = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        words.push_str(": ");
        words.push_str(&cause.to_string());
        source = cause.source();
    }
    words
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn groups_are_a_list_or_one_name() {
        assert_eq!(groups_in(Some(&json!(["a", "b", 3]))), ["a", "b"]);
        assert_eq!(groups_in(Some(&json!("ops"))), ["ops"]);
        assert!(groups_in(Some(&json!({"x": 1}))).is_empty());
        assert!(groups_in(None).is_empty());
    }

    #[test]
    fn settings_that_are_not_urls_are_refused() {
        let settings = OidcSettings {
            issuer: "not a url".into(),
            client_id: "c".into(),
            client_secret: "s".into(),
            redirect_url: "http://127.0.0.1:1/signin/oidc/callback".into(),
            groups_claim: "groups".into(),
        };
        assert!(matches!(Oidc::new(settings), Err(OidcError::Settings(_))));
    }
}
