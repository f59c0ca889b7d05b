//! The server's CSRF secret: every form's token is an HMAC under it, kept
//! in the data folder so tokens outlive a restart. Held in the app's state;
//! `security::csrf` mints and checks tokens with it.

use std::io::Write;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

const KEY_FILE: &str = "csrf.key";

/// The server's secret: tokens minted with it cannot be forged without it.
#[derive(Clone)]
pub struct CsrfKey([u8; 32]);

impl std::fmt::Debug for CsrfKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CsrfKey(..)")
    }
}

impl CsrfKey {
    pub fn random() -> std::io::Result<Self> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|e| std::io::Error::other(e.to_string()))?;
        Ok(Self(key))
    }

    /// The key in `data_dir`, created (readable by its owner only) at first start.
    pub fn load_or_create(data_dir: &Path) -> std::io::Result<Self> {
        let path = data_dir.join(KEY_FILE);
        match std::fs::read(&path) {
            Ok(bytes) if bytes.len() == 32 => {
                let mut key = [0u8; 32];
                key.copy_from_slice(&bytes);
                return Ok(Self(key));
            }
            Ok(_) => {} // damaged: a new key only invalidates open forms
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => return Err(error),
        }
        let key = Self::random()?;
        let mut file = crate::store::private_file(&path, true)?;
        file.write_all(&key.0)?;
        file.sync_all()?;
        Ok(key)
    }

    pub(crate) fn token_for(&self, browser: &str) -> String {
        URL_SAFE_NO_PAD.encode(self.mac(browser).finalize().into_bytes())
    }

    pub(crate) fn verifies(&self, browser: &str, token: &str) -> bool {
        let Ok(sent) = URL_SAFE_NO_PAD.decode(token) else {
            return false;
        };
        !browser.is_empty() && self.mac(browser).verify_slice(&sent).is_ok()
    }

    fn mac(&self, browser: &str) -> Hmac<Sha256> {
        // Any key length is accepted by HMAC, so this cannot fail.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(b"ecs-wizard csrf v1\0");
        mac.update(browser.as_bytes());
        mac
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_this_server_can_mint_a_token() {
        let key = CsrfKey::random().unwrap();
        let browser = "a".repeat(43);
        let token = key.token_for(&browser);
        assert!(key.verifies(&browser, &token));
        assert!(!key.verifies(&"b".repeat(43), &token), "another browser");
        assert!(!CsrfKey::random().unwrap().verifies(&browser, &token));
        assert!(!key.verifies(&browser, "pwn"));
        assert!(!key.verifies("", &key.token_for("")));
    }

    #[test]
    fn the_key_is_kept_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let first = CsrfKey::load_or_create(dir.path()).unwrap();
        let again = CsrfKey::load_or_create(dir.path()).unwrap();
        assert_eq!(first.0, again.0);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
