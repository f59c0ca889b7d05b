//! Schema changes, applied in order; `user_version` records how far a file got.

use rusqlite::Connection;

const MIGRATIONS: [&str; 2] = [
    r#"
    CREATE TABLE drafts (
        id TEXT PRIMARY KEY,
        body TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE TABLE registrations (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        draft_id TEXT NOT NULL,
        arn TEXT NOT NULL,
        family TEXT NOT NULL,
        revision INTEGER NOT NULL,
        response TEXT NOT NULL,
        registered_at INTEGER NOT NULL
    );
    CREATE INDEX registrations_by_family ON registrations (family, revision);
"#,
    // The one-page wizards (role, cluster, repository, log group): the form as
    // typed, and what AWS answered once it was created.
    r#"
    CREATE TABLE resource_drafts (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        body TEXT NOT NULL,
        created TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );
"#,
];

pub fn run(connection: &mut Connection) -> rusqlite::Result<()> {
    let done: usize = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(done) {
        let transaction = connection.transaction()?;
        transaction.execute_batch(sql)?;
        transaction.pragma_update(None, "user_version", index + 1)?;
        transaction.commit()?;
    }
    Ok(())
}
