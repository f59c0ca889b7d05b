//! Instances sharing a PostgreSQL store tell each other when they changed
//! the AWS account (LISTEN/NOTIFY), so each empties its cache of account
//! reads at once rather than showing what was true before. Chosen over a
//! cache kept only a few seconds: a change made through one instance shows
//! on the next page of every other, and the cache keeps its full life
//! between changes. A lost listening connection is made again, and the
//! cache emptied then, since what was said meanwhile is unknown.

use std::sync::Arc;

use super::db::args;
use super::postgres::CHANGES;
use super::{Backend, Store};

impl Store {
    /// Tells the other instances that this one changed the account. Never
    /// waits: the word goes out on a task of its own.
    pub fn announce_change(&self) {
        if !self.is_shared() {
            return;
        }
        let store = self.clone();
        tokio::spawn(async move {
            let instance = store.instance.to_string();
            let sent = store
                .with(move |db| db.execute("SELECT pg_notify(?1, ?2)", args![CHANGES, instance]))
                .await;
            if let Err(error) = sent {
                tracing::warn!(%error, "other instances could not be told of a change");
            }
        });
    }

    /// Calls `changed` whenever another instance announces a change (and
    /// after the listening connection was lost and made again).
    pub fn on_change_elsewhere(&self, changed: Arc<dyn Fn() + Send + Sync>) {
        let Backend::Postgres(postgres) = &self.backend else {
            return;
        };
        let me = self.instance.to_string();
        postgres.listen(Arc::new(move |from: Option<String>| {
            if from.as_deref() != Some(me.as_str()) {
                changed();
            }
        }));
    }
}
