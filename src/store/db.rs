//! The one way the store's queries reach a database, SQLite or PostgreSQL.
//!
//! Every query is written once, in the SQL both understand (`?1` places,
//! `ON CONFLICT`, `RETURNING`, `coalesce`), and runs in a closure on
//! tokio's blocking pool with a [`Db`]: SQLite's one connection, or a
//! pooled PostgreSQL connection whose async calls the closure waits for
//! there (never on an async worker). Values and rows are plain
//! ([`SqlValue`], [`Row`]), so neither driver's types leak into the store.
//! Where the two dialects differ, [`Db`] says it once (a JSON field, a lock).

use std::error::Error as StdError;

use bytes::BytesMut;
use tokio::runtime::Handle;
use tokio_postgres::types::{IsNull, ToSql, Type, to_sql_checked};

use super::StoreError;

/// A value sent to or read from either database.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
}

impl From<i64> for SqlValue {
    fn from(value: i64) -> Self {
        SqlValue::Int(value)
    }
}

impl From<u16> for SqlValue {
    fn from(value: u16) -> Self {
        SqlValue::Int(value.into())
    }
}

impl From<u32> for SqlValue {
    fn from(value: u32) -> Self {
        SqlValue::Int(value.into())
    }
}

impl From<usize> for SqlValue {
    fn from(value: usize) -> Self {
        SqlValue::Int(i64::try_from(value).unwrap_or(i64::MAX))
    }
}

impl From<&str> for SqlValue {
    fn from(value: &str) -> Self {
        SqlValue::Text(value.to_string())
    }
}

impl From<String> for SqlValue {
    fn from(value: String) -> Self {
        SqlValue::Text(value)
    }
}

impl From<&String> for SqlValue {
    fn from(value: &String) -> Self {
        SqlValue::Text(value.clone())
    }
}

impl<T: Into<SqlValue>> From<Option<T>> for SqlValue {
    fn from(value: Option<T>) -> Self {
        value.map_or(SqlValue::Null, Into::into)
    }
}

/// The values of a query's places, in order: `args![a, b]`.
macro_rules! args {
    ($($value:expr),* $(,)?) => {
        &[$($crate::store::db::SqlValue::from($value)),*][..]
    };
}
pub(crate) use args;

/// One row of an answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Row(Vec<SqlValue>);

impl Row {
    pub fn get<T: FromSql>(&self, index: usize) -> Result<T, StoreError> {
        let value = self.0.get(index).unwrap_or(&SqlValue::Null);
        T::from_sql(value).ok_or_else(|| StoreError::Type {
            column: index,
            found: format!("{value:?}"),
        })
    }
}

/// A Rust value read back from a [`SqlValue`].
pub trait FromSql: Sized {
    fn from_sql(value: &SqlValue) -> Option<Self>;
}

impl FromSql for i64 {
    fn from_sql(value: &SqlValue) -> Option<Self> {
        match value {
            SqlValue::Int(n) => Some(*n),
            _ => None,
        }
    }
}

impl FromSql for u16 {
    fn from_sql(value: &SqlValue) -> Option<Self> {
        i64::from_sql(value).and_then(|n| u16::try_from(n).ok())
    }
}

impl FromSql for u32 {
    fn from_sql(value: &SqlValue) -> Option<Self> {
        i64::from_sql(value).and_then(|n| u32::try_from(n).ok())
    }
}

impl FromSql for usize {
    fn from_sql(value: &SqlValue) -> Option<Self> {
        i64::from_sql(value).and_then(|n| usize::try_from(n).ok())
    }
}

impl FromSql for bool {
    fn from_sql(value: &SqlValue) -> Option<Self> {
        i64::from_sql(value).map(|n| n != 0)
    }
}

impl FromSql for String {
    fn from_sql(value: &SqlValue) -> Option<Self> {
        match value {
            SqlValue::Text(text) => Some(text.clone()),
            _ => None,
        }
    }
}

impl FromSql for SqlValue {
    fn from_sql(value: &SqlValue) -> Option<Self> {
        Some(value.clone())
    }
}

impl<T: FromSql> FromSql for Option<T> {
    fn from_sql(value: &SqlValue) -> Option<Self> {
        match value {
            SqlValue::Null => Some(None),
            value => T::from_sql(value).map(Some),
        }
    }
}

/// A connection lent to one piece of store work.
pub enum Db<'a> {
    Sqlite(&'a rusqlite::Connection),
    Postgres {
        client: &'a deadpool_postgres::ClientWrapper,
        handle: &'a Handle,
        /// Set while a transaction is open: such a connection is not lent again.
        in_transaction: &'a std::cell::Cell<bool>,
    },
}

impl Db<'_> {
    pub fn is_postgres(&self) -> bool {
        matches!(self, Db::Postgres { .. })
    }

    /// Runs a statement; how many rows it changed.
    pub fn execute(&mut self, sql: &str, args: &[SqlValue]) -> Result<usize, StoreError> {
        match self {
            Db::Sqlite(connection) => {
                let mut statement = connection.prepare_cached(sql)?;
                Ok(statement.execute(rusqlite::params_from_iter(args.iter()))?)
            }
            Db::Postgres { client, handle, .. } => {
                let sql = postgres_places(sql);
                let changed = handle.block_on(async {
                    let statement = client.prepare_cached(&sql).await?;
                    client.execute(&statement, &pg_args(args)).await
                })?;
                Ok(usize::try_from(changed).unwrap_or(usize::MAX))
            }
        }
    }

    /// Every row of a query's answer.
    pub fn query(&mut self, sql: &str, args: &[SqlValue]) -> Result<Vec<Row>, StoreError> {
        match self {
            Db::Sqlite(connection) => {
                let mut statement = connection.prepare_cached(sql)?;
                let columns = statement.column_count();
                let rows = statement.query_map(rusqlite::params_from_iter(args.iter()), |row| {
                    (0..columns)
                        .map(|i| row.get_ref(i).map(sqlite_value))
                        .collect::<Result<Vec<_>, _>>()
                        .map(Row)
                })?;
                Ok(rows.collect::<Result<_, _>>()?)
            }
            Db::Postgres { client, handle, .. } => {
                let sql = postgres_places(sql);
                let rows = handle.block_on(async {
                    let statement = client.prepare_cached(&sql).await?;
                    client.query(&statement, &pg_args(args)).await
                })?;
                rows.iter().map(pg_row).collect()
            }
        }
    }

    /// The first row of a query's answer, if any.
    pub fn query_opt(&mut self, sql: &str, args: &[SqlValue]) -> Result<Option<Row>, StoreError> {
        Ok(self.query(sql, args)?.into_iter().next())
    }

    /// The first row of a query that always answers one (a count).
    pub fn query_one(&mut self, sql: &str, args: &[SqlValue]) -> Result<Row, StoreError> {
        self.query_opt(sql, args)?.ok_or(StoreError::Type {
            column: 0,
            found: "no row".into(),
        })
    }

    /// Statements without places, one after another (a migration).
    pub fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        match self {
            Db::Sqlite(connection) => Ok(connection.execute_batch(sql)?),
            Db::Postgres { client, handle, .. } => Ok(handle.block_on(client.batch_execute(sql))?),
        }
    }

    /// Runs `work` in a transaction: committed when it returns Ok, rolled
    /// back when it returns an error.
    pub fn transaction<T>(
        &mut self,
        work: impl FnOnce(&mut Db) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.batch("BEGIN")?;
        self.mark_transaction(true);
        let done = work(self).and_then(|value| self.batch("COMMIT").map(|()| value));
        if done.is_err() && self.batch("ROLLBACK").is_err() {
            // Still inside it: the connection is dropped, not reused.
            return done;
        }
        self.mark_transaction(false);
        done
    }

    fn mark_transaction(&self, open: bool) {
        if let Db::Postgres { in_transaction, .. } = self {
            in_transaction.set(open);
        }
    }

    /// Within a transaction: waits until no other transaction holds `key`,
    /// and holds it until this one ends. SQLite's one connection already
    /// runs one piece of work at a time; PostgreSQL's instances share rows.
    pub fn serialize(&mut self, key: &str) -> Result<(), StoreError> {
        if self.is_postgres() {
            self.query(
                "SELECT pg_advisory_xact_lock(hashtext(?1))::text",
                args![key],
            )?;
        }
        Ok(())
    }

    /// The SQL reading text at `path` (`a.b.c`) of the JSON in `column`.
    pub fn json_text(&self, column: &str, path: &str) -> String {
        match self {
            Db::Sqlite(_) => format!("json_extract({column}, '$.{path}')"),
            Db::Postgres { .. } => {
                let keys = path.replace('.', ",");
                format!("(CAST({column} AS jsonb) #>> '{{{keys}}}')")
            }
        }
    }
}

fn sqlite_value(value: rusqlite::types::ValueRef<'_>) -> SqlValue {
    use rusqlite::types::ValueRef;
    match value {
        ValueRef::Null => SqlValue::Null,
        ValueRef::Integer(n) => SqlValue::Int(n),
        ValueRef::Real(x) => SqlValue::Real(x),
        ValueRef::Text(text) | ValueRef::Blob(text) => {
            SqlValue::Text(String::from_utf8_lossy(text).into_owned())
        }
    }
}

impl rusqlite::ToSql for SqlValue {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, Value, ValueRef};
        Ok(match self {
            SqlValue::Null => ToSqlOutput::Owned(Value::Null),
            SqlValue::Int(n) => ToSqlOutput::Owned(Value::Integer(*n)),
            SqlValue::Real(x) => ToSqlOutput::Owned(Value::Real(*x)),
            SqlValue::Text(text) => ToSqlOutput::Borrowed(ValueRef::Text(text.as_bytes())),
        })
    }
}

/// `?1` → `$1`, outside quoted text.
pub(super) fn postgres_places(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quoted = false;
    for c in sql.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                out.push(c);
            }
            '?' if !quoted => out.push('$'),
            c => out.push(c),
        }
    }
    out
}

fn pg_args(args: &[SqlValue]) -> Vec<&(dyn ToSql + Sync)> {
    args.iter().map(|a| a as &(dyn ToSql + Sync)).collect()
}

/// PostgreSQL types each place from where it stands; a value is written
/// as the type asked for (an integer where SQLite would take one as text).
impl ToSql for SqlValue {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn StdError + Sync + Send>> {
        match (self, ty) {
            (SqlValue::Null, _) => Ok(IsNull::Yes),
            (SqlValue::Int(n), &Type::INT8) => n.to_sql(ty, out),
            (SqlValue::Int(n), &Type::INT4) => i32::try_from(*n)?.to_sql(ty, out),
            (SqlValue::Int(n), &Type::INT2) => i16::try_from(*n)?.to_sql(ty, out),
            (SqlValue::Int(n), &Type::BOOL) => (*n != 0).to_sql(ty, out),
            (SqlValue::Int(n), &Type::FLOAT8) => (*n as f64).to_sql(ty, out),
            (SqlValue::Int(n), _) => n.to_string().to_sql(ty, out),
            (SqlValue::Real(x), &Type::FLOAT8) => x.to_sql(ty, out),
            (SqlValue::Real(x), _) => x.to_string().to_sql(ty, out),
            (SqlValue::Text(text), &Type::INT8) => text.parse::<i64>()?.to_sql(ty, out),
            (SqlValue::Text(text), _) => text.as_str().to_sql(ty, out),
        }
    }

    fn accepts(ty: &Type) -> bool {
        matches!(
            *ty,
            Type::INT8
                | Type::INT4
                | Type::INT2
                | Type::BOOL
                | Type::FLOAT8
                | Type::TEXT
                | Type::VARCHAR
                | Type::BPCHAR
                | Type::NAME
                | Type::UNKNOWN
        )
    }

    to_sql_checked!();
}

fn pg_row(row: &tokio_postgres::Row) -> Result<Row, StoreError> {
    let mut values = Vec::with_capacity(row.len());
    for (i, column) in row.columns().iter().enumerate() {
        let value = match *column.type_() {
            Type::INT8 => row.try_get::<_, Option<i64>>(i)?.map(SqlValue::Int),
            Type::INT4 => row
                .try_get::<_, Option<i32>>(i)?
                .map(|n| SqlValue::Int(n.into())),
            Type::INT2 => row
                .try_get::<_, Option<i16>>(i)?
                .map(|n| SqlValue::Int(n.into())),
            Type::BOOL => row
                .try_get::<_, Option<bool>>(i)?
                .map(|b| SqlValue::Int(b.into())),
            Type::FLOAT8 => row.try_get::<_, Option<f64>>(i)?.map(SqlValue::Real),
            _ => row.try_get::<_, Option<String>>(i)?.map(SqlValue::Text),
        };
        values.push(value.unwrap_or(SqlValue::Null));
    }
    Ok(Row(values))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_become_dollars_outside_quotes() {
        assert_eq!(
            postgres_places("SELECT '?1', x FROM t WHERE a = ?1 AND b = ?12"),
            "SELECT '?1', x FROM t WHERE a = $1 AND b = $12"
        );
    }

    #[test]
    fn values_read_back_as_the_types_asked_for() {
        let row = Row(vec![
            SqlValue::Int(3),
            SqlValue::Null,
            SqlValue::Text("a".into()),
        ]);
        assert_eq!(row.get::<i64>(0).unwrap(), 3);
        assert!(row.get::<bool>(0).unwrap());
        assert_eq!(row.get::<Option<String>>(1).unwrap(), None);
        assert_eq!(row.get::<String>(2).unwrap(), "a");
        assert!(row.get::<i64>(2).is_err());
        assert!(row.get::<u16>(9).is_err());
    }

    #[test]
    fn json_fields_are_read_in_each_dialect() {
        let connection = rusqlite::Connection::open_in_memory().unwrap();
        let mut db = Db::Sqlite(&connection);
        let field = db.json_text("?1", "service.serviceName");
        assert_eq!(field, "json_extract(?1, '$.service.serviceName')");
        let row = db
            .query_one(
                &format!("SELECT {field}"),
                args![r#"{"service":{"serviceName":"web"}}"#],
            )
            .unwrap();
        assert_eq!(row.get::<String>(0).unwrap(), "web");
    }
}
