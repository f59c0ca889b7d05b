//! The server's CSRF secret: every form's token is an HMAC under it, kept
//! in the store so tokens outlive a restart and every instance sharing the
//! store accepts the others' forms. Held in the app's state;
//! `security::csrf` mints and checks tokens with it.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::store::{Store, StoreError};

/// Where versions before the shared store kept the key (its tokens stay valid).
const KEY_FILE: &str = "csrf.key";
/// Its name in the store.
const SETTING: &str = "csrf_key";

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

    /// The store's key, made at the first start of any instance (from the
    /// key an older version left in `data_dir`, when there is one).
    pub async fn of_store(store: &Store, data_dir: &Path) -> Result<Self, StoreError> {
        let fresh = match std::fs::read(data_dir.join(KEY_FILE)) {
            Ok(bytes) if bytes.len() == 32 && !store.is_shared() => bytes,
            // Missing or damaged: a new key only invalidates open forms.
            _ => Self::random()
                .map_err(|error| StoreError::Task(error.to_string()))?
                .0
                .to_vec(),
        };
        let kept = store.shared_secret(SETTING, &fresh).await?;
        let key: [u8; 32] = kept.try_into().map_err(|_| StoreError::Type {
            column: 0,
            found: "a CSRF key that is not 32 bytes".into(),
        })?;
        Ok(Self(key))
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

    #[tokio::test]
    async fn the_key_is_kept_in_the_store_and_an_older_file_key_carries_over() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("data")).unwrap();
        let first = CsrfKey::of_store(&store, dir.path()).await.unwrap();
        let again = CsrfKey::of_store(&store, dir.path()).await.unwrap();
        assert_eq!(first.0, again.0);

        let older = tempfile::tempdir().unwrap();
        std::fs::write(older.path().join(KEY_FILE), [7u8; 32]).unwrap();
        let store = Store::open(&older.path().join("data")).unwrap();
        let carried = CsrfKey::of_store(&store, older.path()).await.unwrap();
        assert_eq!(carried.0, [7u8; 32]);
    }
}
