//! Sign-ins with the identity provider under way: the state (found by its
//! hash), the nonce and PKCE verifier, the browser that started it (by the
//! hash of its cookie), and where to go after. Each is taken once, and is
//! good for `LOGIN_SECS`.

use super::db::{Db, args};

use super::{Store, StoreError, now};

/// A sign-in not finished within this long must start again.
pub const LOGIN_SECS: i64 = 10 * 60;
/// Sign-ins under way kept at most: anyone may begin one, so the table is
/// bounded; past this the oldest are dropped (they must start again).
pub const MAX_LOGINS: i64 = 10_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcLogin {
    pub browser_hash: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub back: String,
}

impl Store {
    pub async fn keep_oidc_login(
        &self,
        state_hash: &str,
        login: OidcLogin,
    ) -> Result<(), StoreError> {
        let state_hash = state_hash.to_string();
        self.with(move |db| {
            let at = now();
            db.execute(
                "DELETE FROM oidc_logins WHERE created_at < ?1",
                args![at - LOGIN_SECS],
            )?;
            db.execute(
                "INSERT INTO oidc_logins (state_hash, browser_hash, nonce, pkce_verifier, back, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                args![
                    state_hash,
                    login.browser_hash,
                    login.nonce,
                    login.pkce_verifier,
                    login.back,
                    at
                ],
            )?;
            keep_newest(db, MAX_LOGINS)?;
            Ok(())
        })
        .await
    }

    /// The sign-in of this state, once, if it is recent enough.
    pub async fn take_oidc_login(&self, state_hash: &str) -> Result<Option<OidcLogin>, StoreError> {
        let state_hash = state_hash.to_string();
        self.with(move |db| {
            let Some(row) = db.query_opt(
                "DELETE FROM oidc_logins WHERE state_hash = ?1 \
                 RETURNING browser_hash, nonce, pkce_verifier, back, created_at",
                args![state_hash],
            )?
            else {
                return Ok(None);
            };
            if now() - row.get::<i64>(4)? > LOGIN_SECS {
                return Ok(None);
            }
            Ok(Some(OidcLogin {
                browser_hash: row.get(0)?,
                nonce: row.get(1)?,
                pkce_verifier: row.get(2)?,
                back: row.get(3)?,
            }))
        })
        .await
    }
}

fn keep_newest(db: &mut Db, max: i64) -> Result<(), StoreError> {
    db.execute(
        "DELETE FROM oidc_logins WHERE rowid NOT IN \
         (SELECT rowid FROM oidc_logins ORDER BY created_at DESC, rowid DESC LIMIT ?1)",
        args![max],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn only_the_newest_logins_are_kept() {
        let store = Store::open_in_memory().unwrap();
        let login = OidcLogin {
            browser_hash: "b".into(),
            nonce: "n".into(),
            pkce_verifier: "v".into(),
            back: "/".into(),
        };
        for state in ["a", "b", "c"] {
            store.keep_oidc_login(state, login.clone()).await.unwrap();
        }
        store.with(|db| keep_newest(db, 2)).await.unwrap();
        assert_eq!(store.take_oidc_login("a").await.unwrap(), None);
        assert!(store.take_oidc_login("b").await.unwrap().is_some());
        assert!(store.take_oidc_login("c").await.unwrap().is_some());
    }
}
