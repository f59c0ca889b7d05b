//! What the account already holds, as plain values the AWS adapters fill in,
//! and what follows from it: the task definition's checks against the account
//! (the image was never pushed, the log group does not exist) and the
//! getting-started checklist.

use serde_json::Value;

use super::permissions::{Gap, execution_role_gaps, trusts_service};
use super::repository::parse_ecr_image;
use super::role::ECS_TASKS;
use super::task_definition::TaskDefinition;
use super::validate::Issue;

#[derive(Debug, Clone, PartialEq)]
pub struct RoleSummary {
    pub name: String,
    pub arn: String,
    /// The trust policy (AssumeRolePolicyDocument), decoded.
    pub trust: Value,
}

impl RoleSummary {
    pub fn trusts_ecs_tasks(&self) -> bool {
        trusts_service(&self.trust, ECS_TASKS)
    }
}

/// A role with everything that decides what it may do.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleDetails {
    pub name: String,
    pub arn: String,
    pub description: String,
    pub trust: Value,
    pub attached: Vec<PolicyDocument>,
    pub inline: Vec<PolicyDocument>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PolicyDocument {
    pub name: String,
    /// Empty for an inline policy.
    pub arn: String,
    pub document: Value,
}

impl RoleDetails {
    /// What keeps this role from working as a task execution role.
    pub fn execution_gaps(&self) -> Vec<Gap> {
        let documents: Vec<Value> = self
            .attached
            .iter()
            .chain(&self.inline)
            .map(|p| p.document.clone())
            .collect();
        execution_role_gaps(&self.trust, &documents)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterSummary {
    pub name: String,
    pub arn: String,
    pub status: String,
    pub active_services: i32,
    pub running_tasks: i32,
    pub pending_tasks: i32,
    pub container_insights: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageSummary {
    pub tags: Vec<String>,
    pub digest: String,
    /// RFC 3339, as AWS gives it.
    pub pushed_at: String,
    pub size_bytes: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepositorySummary {
    pub name: String,
    pub uri: String,
    /// None when not looked into: an account with many repositories has
    /// only the likely ones read.
    pub images: Option<Vec<ImageSummary>>,
}

impl RepositorySummary {
    /// Whether an image has `tag` (or `digest`); None when not read.
    fn has(&self, tag: Option<&str>, digest: Option<&str>) -> Option<bool> {
        let images = self.images.as_ref()?;
        Some(match (tag, digest) {
            (Some(tag), _) => images.iter().any(|i| i.tags.iter().any(|t| t == tag)),
            (None, Some(digest)) => images.iter().any(|i| i.digest == digest),
            (None, None) => true,
        })
    }

    pub fn has_images(&self) -> bool {
        self.images.as_ref().is_some_and(|i| !i.is_empty())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogGroupSummary {
    pub name: String,
    pub retention_in_days: Option<i32>,
    pub stored_bytes: i64,
}

/// What a task definition refers to that lives in the account.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AccountFacts {
    pub account: String,
    pub region: String,
    pub roles: Vec<RoleSummary>,
    pub repositories: Vec<RepositorySummary>,
    pub log_groups: Vec<String>,
    /// Role ARNs, repositories and log groups the task definition names that
    /// were not looked up (more than a view reads): no warning is given about them.
    pub unchecked: Vec<String>,
}

/// A repository the person has been working with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepositoryHint {
    /// One this app created, by name.
    Repository(String),
    /// An image URI a task definition draft names.
    Image(String),
}

/// The repositories of this account and region the hints name, once each,
/// in their order, at most `limit`: where the checklist looks for an image first.
pub fn likely_repositories(
    hints: &[RepositoryHint],
    account: &str,
    region: &str,
    limit: usize,
) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for hint in hints {
        let name = match hint {
            RepositoryHint::Repository(name) => Some(name.clone()),
            RepositoryHint::Image(uri) => parse_ecr_image(uri)
                .filter(|i| i.account == account && i.region == region)
                .map(|i| i.repository),
        };
        if let Some(name) = name
            && !names.contains(&name)
            && names.len() < limit
        {
            names.push(name);
        }
    }
    names
}

/// What a task definition names that lives in this account and region:
/// the names the wizard looks up before anything else.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Named {
    /// Role names (the last part of the ARN).
    pub roles: Vec<String>,
    pub repositories: Vec<String>,
    /// (repository, tag or digest) of each image.
    pub images: Vec<(String, String)>,
    pub log_groups: Vec<String>,
}

impl Named {
    /// The tags and digests named of `repository`.
    pub fn references_in<'a>(&'a self, repository: &'a str) -> impl Iterator<Item = &'a str> {
        self.images
            .iter()
            .filter(move |(r, _)| r == repository)
            .map(|(_, reference)| reference.as_str())
    }
}

/// Whether an image has `reference` as a tag, or is that digest.
pub fn holds(images: &[ImageSummary], reference: &str) -> bool {
    images
        .iter()
        .any(|i| i.digest == reference || i.tags.iter().any(|t| t == reference))
}

pub fn named_in(td: &TaskDefinition, account: &str, region: &str) -> Named {
    let mut named = Named::default();
    let add = |list: &mut Vec<String>, name: &str| {
        if !name.is_empty() && !list.iter().any(|n| n == name) {
            list.push(name.to_string());
        }
    };
    for arn in [&td.task_role_arn, &td.execution_role_arn]
        .into_iter()
        .flatten()
    {
        if arn.split(':').nth(4) == Some(account)
            && let Some(name) = arn.rsplit('/').next()
        {
            add(&mut named.roles, name);
        }
    }
    for container in &td.container_definitions {
        if let Some(image) = parse_ecr_image(&container.image)
            && image.account == account
            && image.region == region
        {
            add(&mut named.repositories, &image.repository);
            if let Some(reference) = image.tag.as_ref().or(image.digest.as_ref()) {
                let pair = (image.repository.clone(), reference.clone());
                if !named.images.contains(&pair) {
                    named.images.push(pair);
                }
            }
        }
        if let Some(log) = container.awslogs()
            && log.options.get("awslogs-region").map(String::as_str) == Some(region)
            && let Some(group) = log.options.get("awslogs-group")
        {
            add(&mut named.log_groups, group);
        }
    }
    named
}

/// Warnings about what the account does not hold (yet). They never block
/// Create: the image may be pushed before the service starts a task.
pub fn check_against_account(td: &TaskDefinition, facts: &AccountFacts) -> Vec<Issue> {
    let mut issues = Vec::new();
    for (field, arn) in [
        ("taskRoleArn", &td.task_role_arn),
        ("executionRoleArn", &td.execution_role_arn),
    ] {
        let Some(arn) = arn.as_deref() else { continue };
        if arn.split(':').nth(4) != Some(facts.account.as_str())
            || facts.unchecked.iter().any(|u| u == arn)
        {
            continue;
        }
        match facts.roles.iter().find(|r| r.arn == arn) {
            None => issues.push(Issue::warning(field, "v.role_missing").with("value", arn)),
            Some(role) if !role.trusts_ecs_tasks() => {
                issues.push(Issue::warning(field, "v.role_not_ecs_tasks").with("value", &role.name))
            }
            Some(_) => {}
        }
    }
    for (i, container) in td.container_definitions.iter().enumerate() {
        if let Some(image) = parse_ecr_image(&container.image)
            && image.account == facts.account
            && image.region == facts.region
        {
            let path = format!("containerDefinitions.{i}.image");
            match facts
                .repositories
                .iter()
                .find(|r| r.name == image.repository)
            {
                None if facts.unchecked.contains(&image.repository) => {}
                None => issues.push(
                    Issue::warning(path, "v.image_repository_missing")
                        .with("repository", &image.repository),
                ),
                Some(repository) => {
                    let pushed = repository.has(image.tag.as_deref(), image.digest.as_deref());
                    if pushed == Some(false) {
                        let reference = image.tag.or(image.digest).unwrap_or_default();
                        issues.push(
                            Issue::warning(path, "v.image_not_pushed")
                                .with("repository", &image.repository)
                                .with("tag", reference),
                        );
                    }
                }
            }
        }
        let Some(log) = container.awslogs() else {
            continue;
        };
        let options = &log.options;
        let in_this_region =
            options.get("awslogs-region").map(String::as_str) == Some(facts.region.as_str());
        if in_this_region
            && let Some(group) = options.get("awslogs-group")
            && !group.is_empty()
            && !facts.log_groups.contains(group)
            && !facts.unchecked.contains(group)
            && options.get("awslogs-create-group").map(String::as_str) != Some("true")
        {
            issues.push(
                Issue::warning(
                    format!("containerDefinitions.{i}.logConfiguration.awslogs-group"),
                    "v.log_group_missing",
                )
                .with("group", group),
            );
        }
    }
    issues
}

/// The tutorials' path, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Milestone {
    ExecutionRole,
    Cluster,
    Repository,
    TaskDefinition,
    Service,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    Done,
    /// Begun but not finished: a repository with no image pushed yet.
    Started,
    Todo,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChecklistItem {
    pub milestone: Milestone,
    pub progress: Progress,
    /// The resource that counts, e.g. the role's name.
    pub subject: Option<String>,
}

/// What the checklist looks at.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AccountSnapshot {
    pub roles: Vec<RoleSummary>,
    pub clusters: Vec<ClusterSummary>,
    pub repositories: Vec<RepositorySummary>,
    pub task_definition_families: Vec<String>,
    /// Clusters that have at least one service.
    pub clusters_with_services: Vec<String>,
    /// The ACTIVE revisions' ARNs AWS listed, newest first; `Some` only
    /// when the list was complete, so what is not in it is not in AWS.
    pub active_revisions: Option<Vec<String>>,
}

impl AccountSnapshot {
    /// Whether AWS still has the revision `arn` (true when not known).
    pub fn has_revision(&self, arn: &str) -> bool {
        self.active_revisions
            .as_ref()
            .is_none_or(|arns| arns.iter().any(|a| a == arn))
    }
}

pub fn checklist(account: &AccountSnapshot) -> Vec<ChecklistItem> {
    let item = |milestone, subject: Option<&String>, progress| ChecklistItem {
        milestone,
        progress: if subject.is_some() {
            progress
        } else {
            Progress::Todo
        },
        subject: subject.cloned(),
    };
    // The console's name first, when there are several usable roles.
    let usable: Vec<&RoleSummary> = account
        .roles
        .iter()
        .filter(|r| r.trusts_ecs_tasks())
        .collect();
    let role = usable
        .iter()
        .find(|r| r.name == "ecsTaskExecutionRole")
        .or(usable.first())
        .map(|r| &r.name);
    let cluster = account
        .clusters
        .iter()
        .find(|c| c.status == "ACTIVE")
        .map(|c| &c.name);
    let with_image = account.repositories.iter().find(|r| r.has_images());
    let repository = match with_image {
        Some(r) => item(Milestone::Repository, Some(&r.name), Progress::Done),
        None => item(
            Milestone::Repository,
            account.repositories.first().map(|r| &r.name),
            Progress::Started,
        ),
    };
    vec![
        item(Milestone::ExecutionRole, role, Progress::Done),
        item(Milestone::Cluster, cluster, Progress::Done),
        repository,
        item(
            Milestone::TaskDefinition,
            account.task_definition_families.first(),
            Progress::Done,
        ),
        item(
            Milestone::Service,
            account.clusters_with_services.first(),
            Progress::Done,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;
    use crate::model::container::{ContainerDefinition, LogConfiguration};
    use crate::model::role::trust_policy;

    const ACCOUNT: &str = "123456789012";
    const REGION: &str = "ap-northeast-1";

    fn role(name: &str, trust: Value) -> RoleSummary {
        RoleSummary {
            name: name.into(),
            arn: format!("arn:aws:iam::{ACCOUNT}:role/{name}"),
            trust,
        }
    }

    fn repository(name: &str, tags: &[&str]) -> RepositorySummary {
        RepositorySummary {
            name: name.into(),
            uri: format!("{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{name}"),
            images: Some(if tags.is_empty() {
                Vec::new()
            } else {
                vec![ImageSummary {
                    tags: tags.iter().map(|t| t.to_string()).collect(),
                    digest: "sha256:1".into(),
                    pushed_at: String::new(),
                    size_bytes: 1,
                }]
            }),
        }
    }

    fn facts() -> AccountFacts {
        AccountFacts {
            account: ACCOUNT.into(),
            region: REGION.into(),
            roles: vec![
                role("ecsTaskExecutionRole", trust_policy()),
                role("ec2-role", json!({"Statement": []})),
            ],
            repositories: vec![
                repository("rails-app", &["latest"]),
                repository("empty", &[]),
            ],
            log_groups: vec!["/ecs/web".into()],
            unchecked: Vec::new(),
        }
    }

    fn container(image: &str, group: &str, create: bool) -> ContainerDefinition {
        let mut options = BTreeMap::new();
        options.insert("awslogs-group".to_string(), group.to_string());
        options.insert("awslogs-region".to_string(), REGION.to_string());
        if create {
            options.insert("awslogs-create-group".to_string(), "true".to_string());
        }
        ContainerDefinition {
            name: "app".into(),
            image: image.into(),
            log_configuration: Some(LogConfiguration {
                log_driver: "awslogs".into(),
                options: options.into_iter().collect(),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn keys(td: &TaskDefinition) -> Vec<(String, &'static str)> {
        check_against_account(td, &facts())
            .into_iter()
            .map(|i| {
                assert!(!i.is_error(), "account checks only warn");
                (i.path, i.key)
            })
            .collect()
    }

    fn image(repo_and_tag: &str) -> String {
        format!("{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{repo_and_tag}")
    }

    #[test]
    fn a_pushed_image_and_an_existing_group_pass() {
        let td = TaskDefinition {
            execution_role_arn: Some(format!("arn:aws:iam::{ACCOUNT}:role/ecsTaskExecutionRole")),
            container_definitions: vec![container(&image("rails-app:latest"), "/ecs/web", false)],
            ..Default::default()
        };
        assert_eq!(keys(&td), []);
    }

    #[test]
    fn an_image_never_pushed_is_the_most_common_first_failure() {
        let td = TaskDefinition {
            container_definitions: vec![
                container(&image("rails-app:v2"), "/ecs/web", false),
                container(&image("empty"), "/ecs/web", false),
                container(&image("nothing:latest"), "/ecs/web", false),
                container("nginx:latest", "/ecs/web", false),
                container(
                    &format!("999999999999.dkr.ecr.{REGION}.amazonaws.com/x:1"),
                    "/ecs/web",
                    false,
                ),
            ],
            ..Default::default()
        };
        assert_eq!(
            keys(&td),
            [
                ("containerDefinitions.0.image".into(), "v.image_not_pushed"),
                ("containerDefinitions.1.image".into(), "v.image_not_pushed"),
                (
                    "containerDefinitions.2.image".into(),
                    "v.image_repository_missing"
                ),
            ]
        );
    }

    #[test]
    fn what_was_not_looked_up_gives_no_warning() {
        let mut facts = facts();
        facts.repositories.push(RepositorySummary {
            images: None,
            ..repository("unread", &[])
        });
        let role = format!("arn:aws:iam::{ACCOUNT}:role/beyond-the-page");
        facts.unchecked = vec![role.clone(), "/ecs/beyond".into()];
        let td = TaskDefinition {
            execution_role_arn: Some(role),
            container_definitions: vec![container(&image("unread:v9"), "/ecs/beyond", false)],
            ..Default::default()
        };
        assert!(check_against_account(&td, &facts).is_empty());
    }

    #[test]
    fn likely_repositories_are_this_accounts_once_each_in_order() {
        let hints = [
            RepositoryHint::Image(image("web:v2")),
            RepositoryHint::Repository("made-here".into()),
            RepositoryHint::Image(image("web:v1")),
            RepositoryHint::Image("nginx:latest".into()),
            RepositoryHint::Image("999999999999.dkr.ecr.ap-northeast-1.amazonaws.com/x:1".into()),
            RepositoryHint::Repository("third".into()),
        ];
        assert_eq!(
            likely_repositories(&hints, ACCOUNT, REGION, 10),
            ["web", "made-here", "third"]
        );
        assert_eq!(likely_repositories(&hints, ACCOUNT, REGION, 1), ["web"]);
    }

    #[test]
    fn the_names_to_look_up_are_this_accounts_once_each() {
        let td = TaskDefinition {
            execution_role_arn: Some(format!("arn:aws:iam::{ACCOUNT}:role/ecsTaskExecutionRole")),
            task_role_arn: Some("arn:aws:iam::999999999999:role/elsewhere".into()),
            container_definitions: vec![
                container(&image("rails-app:v2"), "/ecs/web", false),
                container(&image("rails-app:v3"), "/ecs/web", false),
                container("nginx:latest", "/ecs/nginx", false),
                container(
                    &format!("{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/other:1"),
                    "/ecs/web",
                    false,
                ),
            ],
            ..Default::default()
        };
        assert_eq!(
            named_in(&td, ACCOUNT, REGION),
            Named {
                roles: vec!["ecsTaskExecutionRole".into()],
                repositories: vec!["rails-app".into()],
                images: vec![
                    ("rails-app".into(), "v2".into()),
                    ("rails-app".into(), "v3".into())
                ],
                log_groups: vec!["/ecs/web".into(), "/ecs/nginx".into()],
            }
        );
    }

    #[test]
    fn a_missing_log_group_warns_unless_create_group_is_on() {
        let td = TaskDefinition {
            container_definitions: vec![
                container("nginx", "/ecs/missing", false),
                container("nginx", "/ecs/missing", true),
            ],
            ..Default::default()
        };
        assert_eq!(
            keys(&td),
            [(
                "containerDefinitions.0.logConfiguration.awslogs-group".into(),
                "v.log_group_missing"
            )]
        );
    }

    #[test]
    fn roles_must_exist_and_trust_ecs_tasks() {
        let td = TaskDefinition {
            task_role_arn: Some(format!("arn:aws:iam::{ACCOUNT}:role/ec2-role")),
            execution_role_arn: Some(format!("arn:aws:iam::{ACCOUNT}:role/typo")),
            ..Default::default()
        };
        assert_eq!(
            keys(&td),
            [
                ("taskRoleArn".into(), "v.role_not_ecs_tasks"),
                ("executionRoleArn".into(), "v.role_missing"),
            ]
        );
        let elsewhere = TaskDefinition {
            execution_role_arn: Some("arn:aws:iam::999999999999:role/typo".into()),
            ..Default::default()
        };
        assert_eq!(
            keys(&elsewhere),
            [],
            "another account's roles cannot be listed"
        );
    }

    #[test]
    fn the_checklist_follows_the_account() {
        let empty = checklist(&AccountSnapshot::default());
        assert!(empty.iter().all(|i| i.progress == Progress::Todo));
        assert_eq!(empty.len(), 5);

        let mut account = AccountSnapshot {
            roles: vec![
                role("other", trust_policy()),
                role("ecsTaskExecutionRole", trust_policy()),
            ],
            repositories: vec![repository("rails-app", &[])],
            ..Default::default()
        };
        let items = checklist(&account);
        assert_eq!(
            (items[0].progress, items[0].subject.as_deref()),
            (Progress::Done, Some("ecsTaskExecutionRole"))
        );
        assert_eq!(items[1].progress, Progress::Todo);
        assert_eq!(
            (items[2].progress, items[2].subject.as_deref()),
            (Progress::Started, Some("rails-app")),
            "a repository without an image is begun, not done"
        );
        account.repositories[0] = repository("rails-app", &["latest"]);
        account.clusters = vec![ClusterSummary {
            name: "ecs-handson-cluster".into(),
            arn: String::new(),
            status: "ACTIVE".into(),
            active_services: 0,
            running_tasks: 0,
            pending_tasks: 0,
            container_insights: String::new(),
        }];
        account.task_definition_families = vec!["ecs-handson-task".into()];
        account.clusters_with_services = vec!["ecs-handson-cluster".into()];
        assert!(
            checklist(&account)
                .iter()
                .all(|i| i.progress == Progress::Done)
        );
    }
}
