//! What `ecs-wizard` does when given a command instead of serving.

use std::io::BufRead;

use anyhow::{Context, bail};

use crate::accounts;
use crate::config::{Command, Config, EmulatorCommand, StoreCommand, UserCommand};
use crate::model::access::Role;
use crate::store::Store;

/// Runs `command` against the store `config` names (the SQLite file in the
/// data folder, or the PostgreSQL database) and, for the emulator, the
/// endpoint; the text to print.
pub async fn run(command: &Command, config: &Config) -> anyhow::Result<String> {
    match command {
        Command::Emulator(command) => emulator(command, config).await,
        Command::Store(command) => store_command(command, config).await,
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
            let store = open(config).await?;
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

/// The store the app would use with these settings (AWS is asked only to
/// sign IAM database tokens).
async fn open(config: &Config) -> anyhow::Result<Store> {
    let connection = match config.database_iam {
        true => Some(crate::aws::connect(&config.aws_settings()).await),
        false => None,
    };
    crate::open_store(config, connection.as_ref().and_then(|c| c.aws())).await
}

async fn store_command(command: &StoreCommand, config: &Config) -> anyhow::Result<String> {
    let Some(database) = config.database_settings()? else {
        bail!(
            "store commands act on a PostgreSQL store: give --database-url (ECS_WIZARD_DATABASE_URL) before the command"
        );
    };
    let target = crate::store::redacted(&database.url);
    match command {
        StoreCommand::Migrate => {
            open(config).await?;
            Ok(format!("{target} is at this version's schema."))
        }
        StoreCommand::Copy => {
            if !config.data_dir.join("ecs-wizard.sqlite3").exists() {
                bail!(
                    "no SQLite store in {}: give its folder with --data-dir",
                    config.data_dir.display()
                );
            }
            let from = Store::open(&config.data_dir)?;
            let to = open(config).await?;
            let copied = from.copy_into(&to).await?;
            let lines: Vec<String> = copied
                .iter()
                .filter(|(_, rows)| *rows > 0)
                .map(|(table, rows)| format!("  {table}: {rows}"))
                .collect();
            Ok(format!(
                "Copied {} into {target}:\n{}",
                config.data_dir.display(),
                lines.join("\n")
            ))
        }
        StoreCommand::Grant { role } => {
            open(config).await?.grant_app_role(role).await?;
            Ok(format!(
                "{role} may now use {target}; it cannot delete from or rewrite the audit log."
            ))
        }
    }
}

/// Readies (or resets, then readies) the emulator at --endpoint-url; never
/// anything without one, so it cannot touch an AWS account.
async fn emulator(command: &EmulatorCommand, config: &Config) -> anyhow::Result<String> {
    let Some(endpoint) = config.endpoint_url.as_deref() else {
        bail!(
            "emulator commands need the emulator's address: ecs-wizard --endpoint-url http://127.0.0.1:5000 emulator …"
        );
    };
    let mut said = Vec::new();
    let sample_image = match command {
        EmulatorCommand::Ready { sample_image } => *sample_image,
        EmulatorCommand::Reset { sample_image } => {
            crate::aws::emulator::reset(endpoint)
                .await
                .map_err(|e| anyhow::anyhow!("{}: {}", e.code, e.message))?;
            said.push(format!("Emptied the emulator at {endpoint}."));
            let forgotten = open(config).await?.forget_aws_records().await?;
            said.push(format!(
                "Forgot {} revisions registered here, {} runs and {} created results (drafts stay).",
                forgotten.registrations, forgotten.runs, forgotten.created
            ));
            *sample_image
        }
    };
    let connection = crate::aws::connect(&config.aws_settings()).await;
    let Some(aws) = connection.aws() else {
        bail!(
            "no credentials for the emulator: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (any values)"
        );
    };
    let readied = aws
        .ready_emulator(sample_image)
        .await
        .map_err(|e| anyhow::anyhow!("{}: {}", e.code, e.message))?;
    said.extend(readied);
    Ok(said.join("\n"))
}
