//! What `ecs-wizard` does when given a command instead of serving.

use std::io::BufRead;
use std::path::Path;

use anyhow::{Context, bail};

use crate::accounts;
use crate::config::{Command, UserCommand};
use crate::model::access::Role;
use crate::store::Store;

/// Runs `command` against the store in `data_dir`; the text to print.
pub async fn run(command: &Command, data_dir: &Path) -> anyhow::Result<String> {
    match command {
        Command::User(UserCommand::Add {
            name,
            role,
            password_stdin,
        }) => {
            let role = Role::parse(role).context("the role is viewer, deployer or admin")?;
            if !accounts::is_user_name(name) {
                bail!("a user name is 1 to 64 letters, digits and . _ @ -");
            }
            let (password, made) = if *password_stdin {
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line)?;
                (line.trim_end_matches(['\r', '\n']).to_string(), false)
            } else {
                (accounts::generate()?, true)
            };
            let hash = tokio::task::spawn_blocking(move || {
                accounts::hash(&password).map(|h| (h, password))
            })
            .await??;
            let store = Store::open(data_dir)?;
            if !store.add_user(name, role, &hash.0).await? {
                bail!("there is already a user named {name}");
            }
            Ok(if made {
                format!(
                    "Added {name} ({}). Their password, shown only now: {}",
                    role.as_str(),
                    hash.1
                )
            } else {
                format!("Added {name} ({}).", role.as_str())
            })
        }
    }
}
