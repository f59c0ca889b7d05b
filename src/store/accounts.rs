//! Local accounts: users with a role and an argon2 hash of their password,
//! the sessions they hold, and failed sign-ins. A session is found by the
//! SHA-256 of its cookie's id, so the file never holds a usable id; its role
//! is the user's current one (a changed or removed user takes effect at once).

use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError, now};
use crate::model::access::Role;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub role: Role,
    /// PHC string (`$argon2id$…`).
    pub password_hash: String,
}

/// A local account as the Users page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSummary {
    pub name: String,
    pub role: Role,
    pub created_at: i64,
    /// Sessions it holds now.
    pub sessions: i64,
}

/// A session from the identity provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderSession {
    pub name: String,
    pub role: Role,
    pub created_at: i64,
    pub last_seen: i64,
}

/// Rows the Users page lists at most, of each kind.
pub const MAX_LISTED: usize = 500;

/// Who a live session belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionUser {
    pub name: String,
    pub role: Role,
}

impl Store {
    /// False when a user of that name exists already (it is left as it is).
    pub async fn add_user(
        &self,
        name: &str,
        role: Role,
        password_hash: &str,
    ) -> Result<bool, StoreError> {
        let (name, hash) = (name.to_string(), password_hash.to_string());
        self.with(move |connection| {
            let added = connection.execute(
                "INSERT OR IGNORE INTO users (name, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![name, role.as_str(), hash, now()],
            )?;
            Ok(added == 1)
        })
        .await
    }

    pub async fn user(&self, name: &str) -> Result<Option<User>, StoreError> {
        let name = name.to_string();
        self.with(move |connection| {
            let row: Option<(String, String, String)> = connection
                .query_row(
                    "SELECT name, role, password_hash FROM users WHERE name = ?1",
                    params![name],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
                )
                .optional()?;
            Ok(row.and_then(|(name, role, password_hash)| {
                Some(User {
                    name,
                    role: Role::parse(&role)?,
                    password_hash,
                })
            }))
        })
        .await
    }

    pub async fn start_session(&self, id_hash: &str, user: &str) -> Result<(), StoreError> {
        let (id_hash, user) = (id_hash.to_string(), user.to_string());
        self.with(move |connection| {
            let at = now();
            connection.execute(
                "INSERT INTO sessions (id_hash, user_name, created_at, last_seen) VALUES (?1, ?2, ?3, ?3)",
                params![id_hash, user, at],
            )?;
            Ok(())
        })
        .await
    }

    /// A session from the identity provider: its role comes from the
    /// provider's claims at sign-in, not from a local account.
    pub async fn start_provider_session(
        &self,
        id_hash: &str,
        user: &str,
        role: Role,
    ) -> Result<(), StoreError> {
        let (id_hash, user) = (id_hash.to_string(), user.to_string());
        self.with(move |connection| {
            let at = now();
            connection.execute(
                "INSERT INTO sessions (id_hash, user_name, created_at, last_seen, role) VALUES (?1, ?2, ?3, ?3, ?4)",
                params![id_hash, user, at, role.as_str()],
            )?;
            Ok(())
        })
        .await
    }

    /// The session's user when it was used within `idle_secs` and began
    /// within `absolute_secs`; it counts as used now. An expired one is ended.
    pub async fn session(
        &self,
        id_hash: &str,
        idle_secs: i64,
        absolute_secs: i64,
    ) -> Result<Option<SessionUser>, StoreError> {
        let id_hash = id_hash.to_string();
        self.with(move |connection| {
            let at = now();
            // A local account's session takes the account's role now; a
            // provider's session keeps the role it was given.
            let row: Option<(String, Option<String>, i64, i64)> = connection
                .query_row(
                    "SELECT s.user_name, CASE WHEN s.role IS NULL THEN u.role ELSE s.role END, \
                     s.created_at, s.last_seen FROM sessions s \
                     LEFT JOIN users u ON u.name = s.user_name WHERE s.id_hash = ?1",
                    params![id_hash],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
                )
                .optional()?;
            let Some((name, role, created_at, last_seen)) = row else {
                return Ok(None);
            };
            if at - last_seen > idle_secs || at - created_at > absolute_secs {
                connection.execute("DELETE FROM sessions WHERE id_hash = ?1", params![id_hash])?;
                return Ok(None);
            }
            connection.execute(
                "UPDATE sessions SET last_seen = ?2 WHERE id_hash = ?1",
                params![id_hash, at],
            )?;
            Ok(role
                .as_deref()
                .and_then(Role::parse)
                .map(|role| SessionUser { name, role }))
        })
        .await
    }

    pub async fn end_session(&self, id_hash: &str) -> Result<(), StoreError> {
        let id_hash = id_hash.to_string();
        self.with(move |connection| {
            connection.execute("DELETE FROM sessions WHERE id_hash = ?1", params![id_hash])?;
            Ok(())
        })
        .await
    }

    /// Local accounts by name, with how many sessions each holds.
    pub async fn users(&self) -> Result<Vec<UserSummary>, StoreError> {
        let sql = format!(
            "SELECT u.name, u.role, u.created_at, \
             (SELECT count(*) FROM sessions s WHERE s.user_name = u.name AND s.role IS NULL) \
             FROM users u ORDER BY u.name LIMIT {MAX_LISTED}"
        );
        self.with(move |connection| {
            rows_with_role(connection, &sql, |name, role, created_at, sessions| {
                UserSummary {
                    name,
                    role,
                    created_at,
                    sessions,
                }
            })
        })
        .await
    }

    /// Sessions from the identity provider, the most recently used first.
    pub async fn provider_sessions(&self) -> Result<Vec<ProviderSession>, StoreError> {
        let sql = format!(
            "SELECT user_name, role, created_at, last_seen FROM sessions \
             WHERE role IS NOT NULL ORDER BY last_seen DESC LIMIT {MAX_LISTED}"
        );
        self.with(move |connection| {
            rows_with_role(connection, &sql, |name, role, created_at, last_seen| {
                ProviderSession {
                    name,
                    role,
                    created_at,
                    last_seen,
                }
            })
        })
        .await
    }

    /// False when there is no such local account.
    pub async fn set_role(&self, name: &str, role: Role) -> Result<bool, StoreError> {
        let name = name.to_string();
        self.with(move |connection| {
            let changed = connection.execute(
                "UPDATE users SET role = ?2 WHERE name = ?1",
                params![name, role.as_str()],
            )?;
            Ok(changed == 1)
        })
        .await
    }

    /// Removes a local account and ends its sessions; false when there was none.
    pub async fn remove_user(&self, name: &str) -> Result<bool, StoreError> {
        let name = name.to_string();
        self.with(move |connection| {
            let transaction = connection.transaction()?;
            transaction.execute(
                "DELETE FROM sessions WHERE user_name = ?1 AND role IS NULL",
                params![name],
            )?;
            let removed =
                transaction.execute("DELETE FROM users WHERE name = ?1", params![name])?;
            transaction.commit()?;
            Ok(removed == 1)
        })
        .await
    }

    /// Ends every session of `name` (a local account's, or the provider's
    /// sessions under that name); how many ended.
    pub async fn end_sessions_of(&self, name: &str) -> Result<usize, StoreError> {
        let name = name.to_string();
        self.with(move |connection| {
            Ok(connection.execute("DELETE FROM sessions WHERE user_name = ?1", params![name])?)
        })
        .await
    }

    /// Counts a sign-in attempt for `user` before its password is checked,
    /// as a failure until it succeeds ([`Store::clear_failures`]): false,
    /// counting nothing, when `max` were counted in the last `window_secs`.
    /// Counted and checked in one transaction, so of any number of attempts
    /// at once, at most `max` get through.
    pub async fn count_attempt(
        &self,
        user: &str,
        window_secs: i64,
        max: u32,
    ) -> Result<bool, StoreError> {
        let user = user.to_string();
        self.with(move |connection| {
            let transaction = connection.transaction()?;
            let at = now();
            transaction.execute(
                "DELETE FROM sign_in_failures WHERE at < ?1",
                params![at - window_secs],
            )?;
            let count: u32 = transaction.query_row(
                "SELECT count(*) FROM sign_in_failures WHERE user_name = ?1",
                params![user],
                |row| row.get(0),
            )?;
            if count >= max {
                return Ok(false);
            }
            transaction.execute(
                "INSERT INTO sign_in_failures (user_name, at) VALUES (?1, ?2)",
                params![user, at],
            )?;
            transaction.commit()?;
            Ok(true)
        })
        .await
    }

    pub async fn clear_failures(&self, user: &str) -> Result<(), StoreError> {
        let user = user.to_string();
        self.with(move |connection| {
            connection.execute(
                "DELETE FROM sign_in_failures WHERE user_name = ?1",
                params![user],
            )?;
            Ok(())
        })
        .await
    }
}

/// Rows of (name, role, number, number); a row whose role this version
/// does not know is left out.
fn rows_with_role<T>(
    connection: &rusqlite::Connection,
    sql: &str,
    build: impl Fn(String, Role, i64, i64) -> T,
) -> Result<Vec<T>, StoreError> {
    let mut statement = connection.prepare(sql)?;
    let rows = statement.query_map([], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, i64>(2)?,
            row.get::<_, i64>(3)?,
        ))
    })?;
    let mut found = Vec::new();
    for row in rows {
        let (name, role, first, second) = row?;
        if let Some(role) = Role::parse(&role) {
            found.push(build(name, role, first, second));
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_session_is_its_users_until_it_ends_or_expires() {
        let store = Store::open_in_memory().unwrap();
        assert!(
            store
                .add_user("ana", Role::Deployer, "$argon2id$x")
                .await
                .unwrap()
        );
        assert!(
            !store
                .add_user("ana", Role::Admin, "$argon2id$y")
                .await
                .unwrap()
        );
        let ana = store.user("ana").await.unwrap().unwrap();
        assert_eq!(
            (ana.role, ana.password_hash.as_str()),
            (Role::Deployer, "$argon2id$x")
        );

        store.start_session("h1", "ana").await.unwrap();
        let live = store.session("h1", 3600, 86400).await.unwrap();
        assert_eq!(
            live,
            Some(SessionUser {
                name: "ana".into(),
                role: Role::Deployer
            })
        );
        assert_eq!(store.session("other", 3600, 86400).await.unwrap(), None);
        // Expired (no time at all allowed): ended for good.
        assert_eq!(store.session("h1", -1, 86400).await.unwrap(), None);
        assert_eq!(store.session("h1", 3600, 86400).await.unwrap(), None);

        store.start_session("h2", "ana").await.unwrap();
        store.end_session("h2").await.unwrap();
        assert_eq!(store.session("h2", 3600, 86400).await.unwrap(), None);

        // A session of a name with no account is nobody's.
        store.start_session("h3", "gone").await.unwrap();
        assert_eq!(store.session("h3", 3600, 86400).await.unwrap(), None);
    }

    #[tokio::test]
    async fn an_admin_changes_roles_removes_accounts_and_ends_sessions() {
        let store = Store::open_in_memory().unwrap();
        store.add_user("ana", Role::Viewer, "h").await.unwrap();
        store.add_user("bo", Role::Admin, "h").await.unwrap();
        store.start_session("s1", "ana").await.unwrap();
        store
            .start_provider_session("p1", "cy@example.com", Role::Deployer)
            .await
            .unwrap();
        let listed = store.users().await.unwrap();
        assert_eq!(
            listed
                .iter()
                .map(|u| (u.name.as_str(), u.role, u.sessions))
                .collect::<Vec<_>>(),
            [("ana", Role::Viewer, 1), ("bo", Role::Admin, 0)]
        );
        assert_eq!(
            store.provider_sessions().await.unwrap()[0].name,
            "cy@example.com"
        );

        // A new role counts at once, in the session already open.
        assert!(store.set_role("ana", Role::Deployer).await.unwrap());
        assert!(!store.set_role("nobody", Role::Admin).await.unwrap());
        let ana = store.session("s1", 3600, 86400).await.unwrap().unwrap();
        assert_eq!(ana.role, Role::Deployer);

        assert_eq!(store.end_sessions_of("cy@example.com").await.unwrap(), 1);
        assert_eq!(store.session("p1", 3600, 86400).await.unwrap(), None);

        assert!(store.remove_user("ana").await.unwrap());
        assert!(!store.remove_user("ana").await.unwrap());
        assert_eq!(store.session("s1", 3600, 86400).await.unwrap(), None);
        assert_eq!(store.users().await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn a_provider_session_keeps_the_role_it_was_given() {
        let store = Store::open_in_memory().unwrap();
        store
            .start_provider_session("p1", "ann@example.com", Role::Admin)
            .await
            .unwrap();
        assert_eq!(
            store.session("p1", 3600, 86400).await.unwrap(),
            Some(SessionUser {
                name: "ann@example.com".into(),
                role: Role::Admin
            })
        );
    }

    #[tokio::test]
    async fn attempts_are_counted_before_checking_and_cleared() {
        let store = Store::open_in_memory().unwrap();
        for _ in 0..3 {
            assert!(store.count_attempt("ana", 900, 3).await.unwrap());
        }
        assert!(!store.count_attempt("ana", 900, 3).await.unwrap());
        assert!(store.count_attempt("bo", 900, 3).await.unwrap());
        store.clear_failures("ana").await.unwrap();
        assert!(store.count_attempt("ana", 900, 3).await.unwrap());
        // Outside the window, earlier attempts no longer count.
        assert!(store.count_attempt("bo", -1, 1).await.unwrap());
    }

    #[tokio::test]
    async fn of_many_attempts_at_once_at_most_the_limit_get_through() {
        let store = Store::open_in_memory().unwrap();
        let attempts = (0..40).map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.count_attempt("ana", 900, 5).await.unwrap() })
        });
        let mut through = 0;
        for attempt in attempts {
            through += usize::from(attempt.await.unwrap());
        }
        assert_eq!(through, 5);
    }
}
