//! What the task definition wizard reads from the account: the roles, images
//! and log groups its pickers offer, and the warnings about what the account
//! does not hold (an image never pushed, a log group that does not exist).

use crate::aws::{Connection, Read};
use crate::model::account::{AccountFacts, check_against_account, named_in};
use crate::model::task_definition::TaskDefinition;
use crate::model::validate::Issue;

/// The account's facts, what `td` names looked up first, or None in preview
/// mode or when AWS will not say: the pickers and warnings are a help, never
/// a reason to stop.
pub async fn facts(connection: &Connection, td: &TaskDefinition) -> Option<Read<AccountFacts>> {
    let Connection::Connected { aws, identity } = connection else {
        return None;
    };
    let named = named_in(td, &identity.account, aws.region().unwrap_or_default());
    match aws.facts_for(&identity.account, &named).await {
        Ok(facts) => Some(facts),
        Err(error) => {
            tracing::warn!(code = %error.code, "could not read the account for the pickers");
            None
        }
    }
}

pub fn warnings(td: &TaskDefinition, facts: Option<&AccountFacts>) -> Vec<Issue> {
    facts
        .map(|facts| check_against_account(td, facts))
        .unwrap_or_default()
}

/// A picker option: the value typed into the field, and what it is.
pub struct Suggestion {
    pub value: String,
    pub label: String,
}

/// Every pushed tag of every repository; a repository with no image yet is
/// offered as `:latest`, which the review then warns about.
pub fn image_suggestions(facts: Option<&AccountFacts>, not_pushed: &str) -> Vec<Suggestion> {
    let Some(facts) = facts else {
        return Vec::new();
    };
    let mut suggestions = Vec::new();
    for repository in &facts.repositories {
        let Some(images) = &repository.images else {
            // Not looked into: offered without saying whether it was pushed.
            suggestions.push(Suggestion {
                value: format!("{}:latest", repository.uri),
                label: repository.name.clone(),
            });
            continue;
        };
        let tags: Vec<&String> = images.iter().flat_map(|i| &i.tags).collect();
        if tags.is_empty() {
            suggestions.push(Suggestion {
                value: format!("{}:latest", repository.uri),
                label: format!("{} ({not_pushed})", repository.name),
            });
        }
        for tag in tags {
            suggestions.push(Suggestion {
                value: format!("{}:{tag}", repository.uri),
                label: format!("{}:{tag}", repository.name),
            });
        }
    }
    suggestions
}

pub fn log_group_suggestions(facts: Option<&AccountFacts>) -> Vec<Suggestion> {
    facts
        .map(|f| {
            f.log_groups
                .iter()
                .map(|g| Suggestion {
                    value: g.clone(),
                    label: g.clone(),
                })
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::account::{ImageSummary, RepositorySummary};

    #[test]
    fn pushed_tags_are_offered_and_empty_repositories_say_so() {
        let facts = AccountFacts {
            repositories: vec![
                RepositorySummary {
                    name: "rails-app".into(),
                    uri: "1.dkr/rails-app".into(),
                    images: Some(vec![ImageSummary {
                        tags: vec!["latest".into(), "v1".into()],
                        digest: String::new(),
                        pushed_at: String::new(),
                        size_bytes: 0,
                    }]),
                },
                RepositorySummary {
                    name: "nginx".into(),
                    uri: "1.dkr/nginx".into(),
                    images: Some(Vec::new()),
                },
                RepositorySummary {
                    name: "unread".into(),
                    uri: "1.dkr/unread".into(),
                    images: None,
                },
            ],
            log_groups: vec!["/ecs/web".into()],
            ..Default::default()
        };
        let images: Vec<(String, String)> = image_suggestions(Some(&facts), "not pushed")
            .into_iter()
            .map(|s| (s.value, s.label))
            .collect();
        assert_eq!(
            images,
            [
                ("1.dkr/rails-app:latest".into(), "rails-app:latest".into()),
                ("1.dkr/rails-app:v1".into(), "rails-app:v1".into()),
                ("1.dkr/nginx:latest".into(), "nginx (not pushed)".into()),
                ("1.dkr/unread:latest".into(), "unread".into()),
            ]
        );
        assert_eq!(log_group_suggestions(Some(&facts))[0].value, "/ecs/web");
        assert!(image_suggestions(None, "").is_empty());
    }
}
