//! Local accounts' passwords: argon2id hashes (the `argon2` crate's
//! defaults), new passwords drawn from the OS's randomness, and the rule a
//! chosen password must meet. Hashing takes tens of milliseconds of CPU on
//! purpose: callers on the async runtime run it on the blocking pool.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Shorter passwords are refused when a person chooses one.
pub const MIN_PASSWORD: usize = 12;
/// Longer ones are refused before hashing (argon2 reads it all).
pub const MAX_PASSWORD: usize = 256;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PasswordError {
    #[error("the password must be {MIN_PASSWORD} to {MAX_PASSWORD} characters long")]
    Length,
    #[error("no randomness from the operating system")]
    NoRandomness,
    #[error("the password could not be hashed")]
    Hashing,
}

/// The PHC string of `password` under a fresh salt.
pub fn hash(password: &str) -> Result<String, PasswordError> {
    if !(MIN_PASSWORD..=MAX_PASSWORD).contains(&password.chars().count()) {
        return Err(PasswordError::Length);
    }
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|_| PasswordError::NoRandomness)?;
    let salt = SaltString::encode_b64(&salt).map_err(|_| PasswordError::Hashing)?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|_| PasswordError::Hashing)
}

/// Whether `password` is the one `phc` was made from; a damaged hash never matches.
pub fn verify(password: &str, phc: &str) -> bool {
    if password.len() > MAX_PASSWORD * 4 {
        return false;
    }
    PasswordHash::new(phc).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A new password to hand out once: 24 characters from 18 random bytes.
pub fn generate() -> Result<String, PasswordError> {
    let mut bytes = [0u8; 18];
    getrandom::fill(&mut bytes).map_err(|_| PasswordError::NoRandomness)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// A valid account name: what a person types to sign in.
pub fn is_user_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._@-".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let phc = hash("correct horse battery").unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &phc));
        assert!(!verify("correct horse batterY", &phc));
        assert!(!verify("correct horse battery", "not a hash"));
        // The same password hashes differently each time (a fresh salt).
        assert_ne!(hash("correct horse battery").unwrap(), phc);
    }

    #[test]
    fn passwords_are_long_enough_and_generated_ones_are() {
        assert_eq!(hash("short"), Err(PasswordError::Length));
        assert_eq!(
            hash(&"x".repeat(MAX_PASSWORD + 1)),
            Err(PasswordError::Length)
        );
        let made = generate().unwrap();
        assert_eq!(made.len(), 24);
        assert!(hash(&made).is_ok());
        assert_ne!(generate().unwrap(), made);
    }

    #[test]
    fn user_names_are_plain() {
        assert!(is_user_name("ana.silva@example.com"));
        assert!(!is_user_name(""));
        assert!(!is_user_name("ana silva"));
        assert!(!is_user_name(&"a".repeat(65)));
    }
}
