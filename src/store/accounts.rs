//! Local accounts: users with a role and an argon2 hash of their password,
//! the sessions they hold, and failed sign-ins. A session is found by the
//! SHA-256 of its cookie's id, so the file never holds a usable id; its role
//! is the user's current one (a changed or removed user takes effect at once).

use super::db::{Db, args};
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
        self.with(move |db| {
            let added = db.execute(
                "INSERT INTO users (name, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (name) DO NOTHING",
                args![name, role.as_str(), hash, now()],
            )?;
            Ok(added == 1)
        })
        .await
    }

    pub async fn user(&self, name: &str) -> Result<Option<User>, StoreError> {
        let name = name.to_string();
        self.with(move |db| {
            let Some(row) = db.query_opt(
                "SELECT name, role, password_hash FROM users WHERE name = ?1",
                args![&name],
            )?
            else {
                return Ok(None);
            };
            let Some(role) = Role::parse(&row.get::<String>(1)?) else {
                return Ok(None);
            };
            Ok(Some(User {
                name: row.get(0)?,
                role,
                password_hash: row.get(2)?,
            }))
        })
        .await
    }

    pub async fn start_session(&self, id_hash: &str, user: &str) -> Result<(), StoreError> {
        let (id_hash, user) = (id_hash.to_string(), user.to_string());
        self.with(move |db| {
            let at = now();
            db.execute(
                "INSERT INTO sessions (id_hash, user_name, created_at, last_seen) VALUES (?1, ?2, ?3, ?3)",
                args![id_hash, user, at],
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
        self.with(move |db| {
            let at = now();
            db.execute(
                "INSERT INTO sessions (id_hash, user_name, created_at, last_seen, role) VALUES (?1, ?2, ?3, ?3, ?4)",
                args![id_hash, user, at, role.as_str()],
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
        self.with(move |db| {
            let at = now();
            // A local account's session takes the account's role now; a
            // provider's session keeps the role it was given.
            let Some(row) = db.query_opt(
                "SELECT s.user_name, CASE WHEN s.role IS NULL THEN u.role ELSE s.role END, \
                 s.created_at, s.last_seen FROM sessions s \
                 LEFT JOIN users u ON u.name = s.user_name WHERE s.id_hash = ?1",
                args![&id_hash],
            )?
            else {
                return Ok(None);
            };
            let (name, role): (String, Option<String>) = (row.get(0)?, row.get(1)?);
            let (created_at, last_seen): (i64, i64) = (row.get(2)?, row.get(3)?);
            if at - last_seen > idle_secs || at - created_at > absolute_secs {
                db.execute("DELETE FROM sessions WHERE id_hash = ?1", args![&id_hash])?;
                return Ok(None);
            }
            db.execute(
                "UPDATE sessions SET last_seen = ?2 WHERE id_hash = ?1",
                args![id_hash, at],
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
        self.with(move |db| {
            db.execute("DELETE FROM sessions WHERE id_hash = ?1", args![&id_hash])?;
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
        self.with(move |db| {
            rows_with_role(db, &sql, |name, role, created_at, sessions| UserSummary {
                name,
                role,
                created_at,
                sessions,
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
        self.with(move |db| {
            rows_with_role(db, &sql, |name, role, created_at, last_seen| {
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
        self.with(move |db| {
            let changed = db.execute(
                "UPDATE users SET role = ?2 WHERE name = ?1",
                args![name, role.as_str()],
            )?;
            Ok(changed == 1)
        })
        .await
    }

    /// Removes a local account and ends its sessions; false when there was none.
    pub async fn remove_user(&self, name: &str) -> Result<bool, StoreError> {
        let name = name.to_string();
        self.with(move |db| {
            db.transaction(|db| {
                db.execute(
                    "DELETE FROM sessions WHERE user_name = ?1 AND role IS NULL",
                    args![&name],
                )?;
                let removed = db.execute("DELETE FROM users WHERE name = ?1", args![name])?;
                Ok(removed == 1)
            })
        })
        .await
    }

    /// Ends every session of `name` (a local account's, or the provider's
    /// sessions under that name); how many ended.
    pub async fn end_sessions_of(&self, name: &str) -> Result<usize, StoreError> {
        let name = name.to_string();
        self.with(move |db| db.execute("DELETE FROM sessions WHERE user_name = ?1", args![name]))
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
        self.with(move |db| {
            db.transaction(|db| {
                // Instances sharing the store count one attempt at a time.
                db.serialize(&format!("sign-in {user}"))?;
                let at = now();
                db.execute(
                    "DELETE FROM sign_in_failures WHERE at < ?1",
                    args![at - window_secs],
                )?;
                let count: u32 = db
                    .query_one(
                        "SELECT count(*) FROM sign_in_failures WHERE user_name = ?1",
                        args![&user],
                    )?
                    .get(0)?;
                if count >= max {
                    return Ok(false);
                }
                db.execute(
                    "INSERT INTO sign_in_failures (user_name, at) VALUES (?1, ?2)",
                    args![user, at],
                )?;
                Ok(true)
            })
        })
        .await
    }

    pub async fn clear_failures(&self, user: &str) -> Result<(), StoreError> {
        let user = user.to_string();
        self.with(move |db| {
            db.execute(
                "DELETE FROM sign_in_failures WHERE user_name = ?1",
                args![&user],
            )?;
            Ok(())
        })
        .await
    }
}

/// Rows of (name, role, number, number); a row whose role this version
/// does not know is left out.
fn rows_with_role<T>(
    db: &mut Db,
    sql: &str,
    build: impl Fn(String, Role, i64, i64) -> T,
) -> Result<Vec<T>, StoreError> {
    let mut found = Vec::new();
    for row in db.query(sql, &[])? {
        if let Some(role) = Role::parse(&row.get::<String>(1)?) {
            found.push(build(row.get(0)?, role, row.get(2)?, row.get(3)?));
        }
    }
    Ok(found)
}
