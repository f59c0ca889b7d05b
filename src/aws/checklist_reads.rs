//! What the getting-started checklist reads: whether *some* usable role,
//! cluster, repository with an image, task definition and service exist.
//! It stops at the first of each and tries the likely ones first, so a
//! view makes at most ten calls whatever the account holds:
//!
//! - GetRole of the console's `ecsTaskExecutionRole`, and one ListRoles page
//!   only when that role is not there or not usable;
//! - one ListClusters page and one DescribeClusters: its active service
//!   counts say which clusters have a service. When none says so (an
//!   emulator does not count), one ListServices of ten services of the
//!   busiest cluster and one DescribeServices of them: a deleted service
//!   (INACTIVE, which an emulator goes on listing) does not count;
//! - one DescribeRepositories page, and one DescribeImages (a single image)
//!   for each of two repositories: the ones the person created here or named
//!   in a task definition draft first, then the newest;
//! - one ListTaskDefinitions page of ACTIVE revisions, newest first: a
//!   family exists, and which revisions registered here AWS still has
//!   (an emulator reset forgets them).

use futures_util::future::join_all;

use super::read_cache::Read;
use super::revisions::family_revision;
use super::{Aws, AwsError};
use crate::model::account::{AccountSnapshot, ClusterSummary, RepositorySummary, RoleSummary};

/// Repositories looked into for an image, newest first.
const REPOSITORIES_CHECKED: usize = 2;
/// Clusters asked for a service when none reports a count.
const CLUSTERS_ASKED: usize = 1;
/// Services of an asked cluster looked at for an ACTIVE one.
const SERVICES_ASKED: i32 = 10;
const PAGE: i32 = 100;

impl Aws {
    /// What the checklist shows. Each part is kept in the read cache once
    /// its step is done; a step not done yet is read again at each view,
    /// since what completes it (a docker push, the console) happens outside
    /// the app.
    /// `likely`: repositories the person has been working with, looked
    /// into for an image before the newest.
    pub async fn snapshot(&self, likely: &[String]) -> Result<Read<AccountSnapshot>, AwsError> {
        let (roles, clusters, repositories, revisions) = tokio::join!(
            self.cache.read_if(
                "checklist-roles".into(),
                |roles: &Vec<RoleSummary>| roles.iter().any(RoleSummary::trusts_ecs_tasks),
                || self.checklist_roles(),
            ),
            self.cache.read_if(
                "checklist-clusters".into(),
                |(_, with_services): &(Vec<ClusterSummary>, Vec<String>)| {
                    !with_services.is_empty()
                },
                || async {
                    let clusters = self.checklist_clusters().await?;
                    let with_services = self.clusters_with_services(&clusters).await?;
                    Ok((clusters, with_services))
                },
            ),
            self.cache.read_if(
                "checklist-repositories".into(),
                |repositories: &Vec<RepositorySummary>| {
                    repositories.iter().any(RepositorySummary::has_images)
                },
                || self.checklist_repositories(likely),
            ),
            self.cache.read_if(
                "active-revisions".into(),
                |(arns, _): &(Vec<String>, bool)| !arns.is_empty(),
                || self.active_revisions(),
            ),
        );
        let (roles, clusters, repositories, revisions) =
            (roles?, clusters?, repositories?, revisions?);
        let parts = [
            roles.when(),
            clusters.when(),
            repositories.when(),
            revisions.when(),
        ];
        let (clusters, with_services) = clusters.value.as_ref().clone();
        let snapshot = AccountSnapshot {
            roles: roles.value.to_vec(),
            clusters,
            clusters_with_services: with_services,
            repositories: repositories.value.to_vec(),
            task_definition_families: revisions
                .value
                .0
                .first()
                .and_then(|arn| family_revision(arn).rsplit_once(':'))
                .map(|(family, _)| vec![family.to_string()])
                .unwrap_or_default(),
            active_revisions: revisions.value.1.then(|| revisions.value.0.clone()),
        };
        Ok(Read::joined(snapshot, &parts))
    }

    /// Clusters with a service: from their counts, else asked (the busiest
    /// first, a few at most).
    async fn clusters_with_services(
        &self,
        clusters: &[ClusterSummary],
    ) -> Result<Vec<String>, AwsError> {
        let active: Vec<_> = clusters.iter().filter(|c| c.status == "ACTIVE").collect();
        let counted: Vec<String> = active
            .iter()
            .filter(|c| c.active_services > 0)
            .map(|c| c.name.clone())
            .collect();
        if !counted.is_empty() {
            return Ok(counted);
        }
        let mut busiest = active;
        busiest.sort_by_key(|c| std::cmp::Reverse(c.running_tasks + c.pending_tasks));
        let asked = join_all(
            busiest
                .iter()
                .take(CLUSTERS_ASKED)
                .map(|c| self.has_active_service(&c.name)),
        )
        .await;
        let mut with_services = Vec::new();
        for (cluster, answer) in busiest.iter().zip(asked) {
            if answer? {
                with_services.push(cluster.name.clone());
            }
        }
        Ok(with_services)
    }

    /// Whether `cluster` has an ACTIVE service among its first few.
    async fn has_active_service(&self, cluster: &str) -> Result<bool, AwsError> {
        let listed = self
            .ecs
            .list_services()
            .cluster(cluster)
            .max_results(SERVICES_ASKED)
            .send()
            .await?;
        let arns: Vec<String> = listed
            .service_arns()
            .iter()
            .take(SERVICES_ASKED as usize)
            .cloned()
            .collect();
        if arns.is_empty() {
            return Ok(false);
        }
        let described = self
            .ecs
            .describe_services()
            .cluster(cluster)
            .set_services(Some(arns))
            .send()
            .await?;
        Ok(described
            .services()
            .iter()
            .any(|s| s.status() == Some("ACTIVE")))
    }

    /// One page of ACTIVE revisions' ARNs, newest first, and whether it
    /// holds them all.
    async fn active_revisions(&self) -> Result<(Vec<String>, bool), AwsError> {
        let output = self
            .ecs
            .list_task_definitions()
            .status(aws_sdk_ecs::types::TaskDefinitionStatus::Active)
            .sort(aws_sdk_ecs::types::SortOrder::Desc)
            .max_results(PAGE)
            .send()
            .await?;
        let arns: Vec<String> = output
            .task_definition_arns()
            .iter()
            .take(PAGE as usize)
            .cloned()
            .collect();
        Ok((arns, output.next_token().is_none()))
    }

    /// The console's role by name; the first page of roles only when it is
    /// not there or ECS tasks cannot assume it.
    async fn checklist_roles(&self) -> Result<Vec<RoleSummary>, AwsError> {
        if let Ok(named) = self.role("ecsTaskExecutionRole").await
            && named.trusts_ecs_tasks()
        {
            return Ok(vec![named]);
        }
        let page = self.iam.list_roles().max_items(PAGE).send().await;
        let mut roles: Vec<RoleSummary> =
            page?.roles().iter().map(super::iam::role_summary).collect();
        roles.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(roles)
    }

    async fn checklist_clusters(&self) -> Result<Vec<ClusterSummary>, AwsError> {
        let listed = self.ecs.list_clusters().max_results(PAGE).send().await?;
        let arns: Vec<String> = listed.cluster_arns().iter().take(100).cloned().collect();
        if arns.is_empty() {
            return Ok(Vec::new());
        }
        self.describe_clusters(arns).await
    }

    /// The first page of repositories, and two looked into for an image
    /// (one is enough), at once: the `likely` ones first (the person's own),
    /// then the newest. They come first in the list.
    async fn checklist_repositories(
        &self,
        likely: &[String],
    ) -> Result<Vec<RepositorySummary>, AwsError> {
        let page = self
            .ecr
            .describe_repositories()
            .max_results(PAGE)
            .send()
            .await?;
        let mut listed: Vec<_> = page.repositories().iter().take(100).collect();
        listed.sort_by(|a, b| b.created_at().cmp(&a.created_at()));
        let mut others: Vec<RepositorySummary> = listed
            .iter()
            .map(|r| super::ecr::repository_summary(r))
            .collect();
        let mut checked: Vec<String> = likely.iter().take(REPOSITORIES_CHECKED).cloned().collect();
        for repository in &others {
            if checked.len() < REPOSITORIES_CHECKED && !checked.contains(&repository.name) {
                checked.push(repository.name.clone());
            }
        }
        let images = join_all(checked.iter().map(|name| self.first_image(name))).await;
        let mut repositories = Vec::new();
        for (name, images) in checked.into_iter().zip(images) {
            let images = match images {
                Ok(images) => images,
                // A likely one deleted since: nothing to look into.
                Err(error) if error.code == "RepositoryNotFoundException" => continue,
                Err(error) => return Err(error),
            };
            let uri = match others.iter().position(|r| r.name == name) {
                Some(at) => others.remove(at).uri,
                None => String::new(),
            };
            repositories.push(RepositorySummary {
                name,
                uri,
                images: Some(images),
            });
        }
        repositories.extend(others);
        Ok(repositories)
    }
}
