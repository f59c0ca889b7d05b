//! IAM authentication to RDS for PostgreSQL: the password for a database
//! user is a SigV4-presigned `connect` URL (service `rds-db`), good for 15
//! minutes, made from the app's own AWS credentials. Nothing is sent to AWS.

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_credential_types::provider::ProvideCredentials;
use aws_sigv4::http_request::{
    SignableBody, SignableRequest, SignatureLocation, SigningSettings, sign,
};
use aws_sigv4::sign::v4;

use super::{Aws, AwsError};

/// How long RDS accepts a token.
const VALID_FOR: Duration = Duration::from_secs(900);

/// A token to connect as `user` to the database at `host:port`, signed now
/// with the credentials the app's AWS clients use.
pub async fn rds_auth_token(
    aws: &Aws,
    host: &str,
    port: u16,
    user: &str,
) -> Result<String, AwsError> {
    let no_credentials = |message: String| AwsError {
        code: "NoCredentials".into(),
        message,
    };
    let provider = aws
        .credentials
        .as_ref()
        .ok_or_else(|| no_credentials("no AWS credentials to sign a database token with".into()))?;
    let credentials = provider
        .provide_credentials()
        .await
        .map_err(|e| no_credentials(e.to_string()))?;
    let region = aws
        .region()
        .ok_or_else(|| no_credentials("no AWS region to sign a database token for".into()))?;
    signed_token(&credentials, region, host, port, user, SystemTime::now()).map_err(|message| {
        AwsError {
            code: "SigningFailed".into(),
            message,
        }
    })
}

/// The token as of `time`: `host:port/?Action=connect&DBUser=…&X-Amz-…`.
pub fn signed_token(
    credentials: &Credentials,
    region: &str,
    host: &str,
    port: u16,
    user: &str,
    time: SystemTime,
) -> Result<String, String> {
    let endpoint = format!("{host}:{port}");
    let user: String = form_urlencoded::byte_serialize(user.as_bytes()).collect();
    let url = format!("https://{endpoint}/?Action=connect&DBUser={user}");
    let mut settings = SigningSettings::default();
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = Some(VALID_FOR);
    let identity = credentials.clone().into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name("rds-db")
        .time(time)
        .settings(settings)
        .build()
        .map_err(|e| e.to_string())?
        .into();
    let request = SignableRequest::new(
        "GET",
        url.as_str(),
        std::iter::once(("host", endpoint.as_str())),
        SignableBody::Bytes(&[]),
    )
    .map_err(|e| e.to_string())?;
    let (instructions, _) = sign(request, &params)
        .map_err(|e| e.to_string())?
        .into_parts();
    let mut token = url.trim_start_matches("https://").to_string();
    for (name, value) in instructions.params() {
        let value: String = form_urlencoded::byte_serialize(value.as_bytes()).collect();
        token.push_str(&format!("&{name}={value}"));
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Made by botocore 1.44.18's `generate_db_auth_token` with its clock
    /// held at 2026-12-06 07:00:00 UTC and AWS's example credentials.
    const BOTOCORE: &str = "db.example.ap-northeast-1.rds.amazonaws.com:5432/?Action=connect&DBUser=ecs_wizard_app&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20261206%2Fap-northeast-1%2Frds-db%2Faws4_request&X-Amz-Date=20261206T070000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=8b91f9d457f3e076cb9fc28a75a4035e43de59589d282d2df77560269c9cb2a6";

    fn params(token: &str) -> std::collections::BTreeSet<String> {
        token
            .split_once('?')
            .map(|(_, query)| query.split('&').map(str::to_string).collect())
            .unwrap_or_default()
    }

    #[test]
    fn a_token_is_what_botocore_makes() {
        let credentials = Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            None,
            None,
            "example",
        );
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_540_400);
        let token = signed_token(
            &credentials,
            "ap-northeast-1",
            "db.example.ap-northeast-1.rds.amazonaws.com",
            5432,
            "ecs_wizard_app",
            at,
        )
        .unwrap();
        assert!(token.starts_with("db.example.ap-northeast-1.rds.amazonaws.com:5432/?"));
        assert_eq!(params(&token), params(BOTOCORE));
    }

    #[test]
    fn temporary_credentials_carry_their_session_token() {
        let credentials = Credentials::new("AKID", "secret", Some("session/+=".into()), None, "t");
        let token = signed_token(
            &credentials,
            "us-east-1",
            "db",
            5432,
            "app",
            SystemTime::now(),
        )
        .unwrap();
        assert!(
            token.contains("X-Amz-Security-Token=session%2F%2B%3D"),
            "{token}"
        );
    }
}
