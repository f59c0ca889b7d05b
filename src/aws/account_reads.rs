//! The account's lists as the pages show them: a page at a time, each row's
//! details read at once, and kept in the read cache. A cold view makes a
//! number of calls bounded by what it shows, never by what the account holds:
//!
//! - Roles: one ListRoles of 20.
//! - Repositories: one DescribeRepositories of 9, one DescribeImages for each
//!   (ten calls).
//! - Clusters: one ListClusters of 20, one DescribeClusters.
//! - Log groups: one DescribeLogGroups of 50.
//! - The task definition wizard's pickers and warnings: see `facts_for`.

use std::future::Future;

use futures_util::future::join_all;

use super::paging::{PageToken, page_of};
use super::read_cache::Read;
use super::{Aws, AwsError};
use crate::model::account::{
    AccountFacts, ClusterSummary, ImageSummary, LogGroupSummary, Named, RepositorySummary,
    RoleSummary, holds,
};

pub const ROLES_PAGE: usize = 20;
/// With one DescribeImages each, a view is ten calls.
pub const REPOSITORIES_PAGE: usize = 9;
pub const CLUSTERS_PAGE: usize = 20;
pub const LOG_GROUPS_PAGE: usize = 50;
/// Images read of a repository: the first page AWS lists.
const IMAGES_READ: i32 = 100;
/// The wizard's pickers offer the first this many of each list.
const PICKER_LIST: usize = 1000;
/// Clusters and families a picker offers (DescribeClusters takes 100 at most).
const PICKER_CLUSTERS: usize = 100;
/// Repositories whose images the wizard reads: the task definition's first,
/// then the newest.
const IMAGES_FOR_PICKERS: usize = 3;
/// Named roles and log groups looked up one by one when not on the first page.
const ROLES_LOOKED_UP: usize = 2;
const LOG_GROUPS_LOOKED_UP: usize = 1;

/// One page of a list, and where the next starts.
#[derive(Debug, Clone, Default)]
pub struct ListPage<T> {
    pub items: Vec<T>,
    pub next: Option<PageToken>,
}

impl<T> ListPage<T> {
    fn of(mut items: Vec<T>, next: Option<String>, offset: usize, size: usize) -> Self
    where
        T: SortKey,
    {
        // An emulator's whole list is sorted before it is cut, so offsets hold.
        items.sort_by(|a, b| a.sort_key().cmp(b.sort_key()));
        let (items, next) = page_of(items, next, offset, size);
        Self { items, next }
    }
}

/// What a list is sorted by: its name.
trait SortKey {
    fn sort_key(&self) -> &str;
}

macro_rules! by_name {
    ($($t:ty),*) => {$(impl SortKey for $t {
        fn sort_key(&self) -> &str {
            &self.name
        }
    })*};
}
by_name!(
    RoleSummary,
    RepositorySummary,
    ClusterSummary,
    LogGroupSummary
);

fn key(list: &str, token: &Option<PageToken>) -> String {
    format!(
        "{list}:{}",
        token.as_ref().map(PageToken::encode).unwrap_or_default()
    )
}

impl Aws {
    pub async fn roles_page(
        &self,
        token: Option<PageToken>,
    ) -> Result<Read<ListPage<RoleSummary>>, AwsError> {
        self.cache
            .read(key("roles", &token), || {
                self.list_roles_page(token, ROLES_PAGE)
            })
            .await
    }

    async fn list_roles_page(
        &self,
        token: Option<PageToken>,
        size: usize,
    ) -> Result<ListPage<RoleSummary>, AwsError> {
        let (marker, offset) = PageToken::split(token);
        let output = self
            .iam
            .list_roles()
            .max_items(size as i32)
            .set_marker(marker)
            .send()
            .await?;
        let roles = output
            .roles()
            .iter()
            .map(super::iam::role_summary)
            .collect();
        let next = output
            .is_truncated()
            .then(|| output.marker().map(str::to_string))
            .flatten();
        Ok(ListPage::of(roles, next, offset, size))
    }

    pub async fn repositories_page(
        &self,
        token: Option<PageToken>,
    ) -> Result<Read<ListPage<RepositorySummary>>, AwsError> {
        self.cache
            .read(key("repositories", &token), || async {
                let mut page = self
                    .list_repositories_page(token, REPOSITORIES_PAGE)
                    .await?;
                let images =
                    join_all(page.items.iter().map(|r| self.images_of(&r.name, &[]))).await;
                for (repository, images) in page.items.iter_mut().zip(images) {
                    repository.images = Some(images?.value.to_vec());
                }
                Ok(page)
            })
            .await
    }

    /// Repositories without their images.
    async fn list_repositories_page(
        &self,
        token: Option<PageToken>,
        size: usize,
    ) -> Result<ListPage<RepositorySummary>, AwsError> {
        let (aws_token, offset) = PageToken::split(token);
        let output = self
            .ecr
            .describe_repositories()
            .max_results(size as i32)
            .set_next_token(aws_token)
            .send()
            .await?;
        let repositories = output
            .repositories()
            .iter()
            .map(super::ecr::repository_summary)
            .collect();
        let next = output.next_token().map(str::to_string);
        Ok(ListPage::of(repositories, next, offset, size))
    }

    /// The first hundred images AWS lists of `repository`, newest first. A
    /// kept list is used only when it holds every tag or digest in `wanted`.
    async fn images_of(
        &self,
        repository: &str,
        wanted: &[&str],
    ) -> Result<Read<Vec<ImageSummary>>, AwsError> {
        let keep = |images: &Vec<ImageSummary>| wanted.iter().all(|w| holds(images, w));
        self.cache
            .read_if(format!("images:{repository}"), keep, || async {
                let output = self
                    .ecr
                    .describe_images()
                    .repository_name(repository)
                    .max_results(IMAGES_READ)
                    .send()
                    .await?;
                let mut images: Vec<ImageSummary> = output
                    .image_details()
                    .iter()
                    .take(IMAGES_READ as usize)
                    .map(super::ecr::image_summary)
                    .collect();
                images.sort_by(|a, b| b.pushed_at.cmp(&a.pushed_at));
                Ok(images)
            })
            .await
    }

    pub async fn clusters_page(
        &self,
        token: Option<PageToken>,
    ) -> Result<Read<ListPage<ClusterSummary>>, AwsError> {
        self.cache
            .read(key("clusters", &token), || {
                self.list_clusters_page(token, CLUSTERS_PAGE)
            })
            .await
    }

    /// One ListClusters page (names only) and one DescribeClusters of them.
    async fn list_clusters_page(
        &self,
        token: Option<PageToken>,
        size: usize,
    ) -> Result<ListPage<ClusterSummary>, AwsError> {
        let (aws_token, offset) = PageToken::split(token);
        let output = self
            .ecs
            .list_clusters()
            .max_results(size as i32)
            .set_next_token(aws_token)
            .send()
            .await?;
        let mut arns = output.cluster_arns().to_vec();
        // The name is the ARN's last part; sort and cut before describing.
        arns.sort_by(|a, b| a.rsplit('/').next().cmp(&b.rsplit('/').next()));
        let (arns, next) = page_of(arns, output.next_token().map(str::to_string), offset, size);
        let mut clusters = if arns.is_empty() {
            Vec::new()
        } else {
            self.describe_clusters(arns).await?
        };
        clusters.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(ListPage {
            items: clusters,
            next,
        })
    }

    pub async fn log_groups_page(
        &self,
        token: Option<PageToken>,
    ) -> Result<Read<ListPage<LogGroupSummary>>, AwsError> {
        self.cache
            .read(key("log-groups", &token), || {
                self.list_log_groups_page(token, LOG_GROUPS_PAGE)
            })
            .await
    }

    async fn list_log_groups_page(
        &self,
        token: Option<PageToken>,
        size: usize,
    ) -> Result<ListPage<LogGroupSummary>, AwsError> {
        let (aws_token, offset) = PageToken::split(token);
        let output = self
            .logs
            .describe_log_groups()
            .limit(size as i32)
            .set_next_token(aws_token)
            .send()
            .await?;
        let groups = output
            .log_groups()
            .iter()
            .map(super::logs::log_group_summary)
            .collect();
        let next = output.next_token().map(str::to_string);
        Ok(ListPage::of(groups, next, offset, size))
    }

    /// The first hundred clusters by name, for a picker.
    pub async fn picker_clusters(&self) -> Result<Read<ListPage<ClusterSummary>>, AwsError> {
        self.cache
            .read("picker-clusters".into(), || {
                self.list_clusters_page(None, PICKER_CLUSTERS)
            })
            .await
    }

    /// The first hundred families with an active revision, by name.
    pub async fn picker_families(&self) -> Result<Read<Vec<String>>, AwsError> {
        self.cache
            .read("picker-families".into(), || async {
                let output = self
                    .ecs
                    .list_task_definition_families()
                    .status(aws_sdk_ecs::types::TaskDefinitionFamilyStatus::Active)
                    .max_results(PICKER_CLUSTERS as i32)
                    .send()
                    .await?;
                let mut families = output.families().to_vec();
                families.sort();
                families.truncate(PICKER_CLUSTERS);
                Ok(families)
            })
            .await
    }

    /// The first thousand roles, for a picker.
    pub async fn picker_roles(&self) -> Result<Read<ListPage<RoleSummary>>, AwsError> {
        self.picker_roles_naming(&[]).await
    }

    /// The first thousand roles; a kept list is used only when it holds
    /// every role in `named` (or goes on past them).
    async fn picker_roles_naming(
        &self,
        named: &[String],
    ) -> Result<Read<ListPage<RoleSummary>>, AwsError> {
        let keep = |page: &ListPage<RoleSummary>| {
            page.next.is_some()
                || named
                    .iter()
                    .all(|n| page.items.iter().any(|r| &r.name == n))
        };
        self.cache
            .read_if("picker-roles".into(), keep, || {
                self.list_roles_page(None, PICKER_LIST)
            })
            .await
    }

    /// What the task definition wizard offers and checks, at most ten calls
    /// cold whatever the account holds:
    ///
    /// - the first 1000 roles (one ListRoles), and the task definition's roles
    ///   by name (GetRole, two at most) when the list goes on;
    /// - the first 1000 repositories (one DescribeRepositories), and the
    ///   images of three: the task definition's first, then the first listed;
    /// - the first 50 log groups (one DescribeLogGroups), and the task
    ///   definition's first group by name when the list goes on.
    ///
    /// What is named but not looked up is listed as unchecked: no warning
    /// is given about it. What is named but missing is never answered from
    /// the cache: it is asked again, since it may have been made outside the
    /// app a moment ago.
    pub async fn facts_for(
        &self,
        account: &str,
        named: &Named,
    ) -> Result<Read<AccountFacts>, AwsError> {
        let lists_them = |page: &ListPage<RepositorySummary>| {
            page.next.is_some()
                || named
                    .repositories
                    .iter()
                    .all(|n| page.items.iter().any(|r| &r.name == n))
        };
        let has_groups = |page: &ListPage<LogGroupSummary>| {
            page.next.is_some()
                || named
                    .log_groups
                    .iter()
                    .all(|n| page.items.iter().any(|g| &g.name == n))
        };
        let (roles, repositories, log_groups) = tokio::join!(
            self.picker_roles_naming(&named.roles),
            self.cache
                .read_if("picker-repositories".into(), lists_them, || {
                    self.list_repositories_page(None, PICKER_LIST)
                }),
            self.cache
                .read_if(key("log-groups", &None), has_groups, || {
                    self.list_log_groups_page(None, LOG_GROUPS_PAGE)
                }),
        );
        let (roles, repositories, log_groups) = (roles?, repositories?, log_groups?);
        let mut parts = vec![roles.when(), repositories.when(), log_groups.when()];
        let mut facts = AccountFacts {
            account: account.to_string(),
            region: self.region.clone().unwrap_or_default(),
            roles: roles.value.items.clone(),
            repositories: repositories.value.items.clone(),
            log_groups: log_groups
                .value
                .items
                .iter()
                .map(|g| g.name.clone())
                .collect(),
            unchecked: Vec::new(),
        };
        if repositories.value.next.is_some() {
            let listed = |name: &&String| facts.repositories.iter().any(|r| &r.name == *name);
            let beyond = named.repositories.iter().filter(|n| !listed(n));
            facts.unchecked.extend(beyond.cloned());
        }
        let (more_roles, more_groups) =
            (roles.value.next.is_some(), log_groups.value.next.is_some());
        let (extra_roles, extra_groups, images) = tokio::join!(
            self.roles_beyond_the_page(&facts, named, more_roles),
            self.log_groups_beyond_the_page(&facts, named, more_groups),
            self.images_for_pickers(&facts, named),
        );
        let (found, unchecked) = extra_roles?;
        facts.roles.extend(found);
        facts.unchecked.extend(unchecked);
        let (found, unchecked) = extra_groups?;
        facts.log_groups.extend(found);
        facts.unchecked.extend(unchecked);
        for (name, read) in images {
            let read = read?;
            parts.push(read.when());
            if let Some(repository) = facts.repositories.iter_mut().find(|r| r.name == name) {
                repository.images = Some(read.value.to_vec());
            }
        }
        Ok(Read::joined(facts, &parts))
    }

    /// Named roles not on the first page, by name; the ARNs not looked up.
    async fn roles_beyond_the_page(
        &self,
        facts: &AccountFacts,
        named: &Named,
        list_goes_on: bool,
    ) -> Result<(Vec<RoleSummary>, Vec<String>), AwsError> {
        let missing: Vec<&String> = named
            .roles
            .iter()
            .filter(|name| list_goes_on && !facts.roles.iter().any(|r| &r.name == *name))
            .collect();
        let (found, unchecked) = self
            .look_up("role", &missing, ROLES_LOOKED_UP, |name| async move {
                match self.role(&name).await {
                    Ok(role) => Ok(Some(role)),
                    Err(e) if e.code == "NoSuchEntity" => Ok(None),
                    Err(e) => Err(e),
                }
            })
            .await?;
        let arn = |name: String| format!("arn:aws:iam::{}:role/{name}", facts.account);
        Ok((found, unchecked.into_iter().map(arn).collect()))
    }

    /// Named log groups not on the first page, by name; the ones not looked up.
    async fn log_groups_beyond_the_page(
        &self,
        facts: &AccountFacts,
        named: &Named,
        list_goes_on: bool,
    ) -> Result<(Vec<String>, Vec<String>), AwsError> {
        let missing: Vec<&String> = named
            .log_groups
            .iter()
            .filter(|name| list_goes_on && !facts.log_groups.contains(name))
            .collect();
        self.look_up(
            "log-group",
            &missing,
            LOG_GROUPS_LOOKED_UP,
            |name| async move {
                let groups = self.log_groups_named(&name).await?;
                Ok(groups.into_iter().next().map(|(name, _)| name))
            },
        )
        .await
    }

    /// The first `limit` of `missing` looked up by name, at once (kept once
    /// found): what was found, and the names not looked up.
    async fn look_up<T, F, Fut>(
        &self,
        kind: &str,
        missing: &[&String],
        limit: usize,
        lookup: F,
    ) -> Result<(Vec<T>, Vec<String>), AwsError>
    where
        T: Clone + Send + Sync + 'static,
        F: Fn(String) -> Fut,
        Fut: Future<Output = Result<Option<T>, AwsError>>,
    {
        let found = |value: &Option<T>| value.is_some();
        let lookups = join_all(missing.iter().take(limit).map(|name| {
            let key = format!("{kind}:{name}");
            self.cache.read_if(key, found, || lookup(name.to_string()))
        }))
        .await;
        let mut values = Vec::new();
        for lookup in lookups {
            values.extend(lookup?.value.as_ref().clone());
        }
        let not_looked_up = missing.iter().skip(limit).map(|n| n.to_string());
        Ok((values, not_looked_up.collect()))
    }

    /// The images of the named repositories that exist, then of the first
    /// others listed, three in all.
    async fn images_for_pickers(
        &self,
        facts: &AccountFacts,
        named: &Named,
    ) -> Vec<(String, Result<Read<Vec<ImageSummary>>, AwsError>)> {
        let listed = |name: &String| facts.repositories.iter().any(|r| &r.name == name);
        let mut chosen: Vec<String> = named
            .repositories
            .iter()
            .filter(|n| listed(n))
            .cloned()
            .collect();
        for repository in &facts.repositories {
            if !chosen.contains(&repository.name) {
                chosen.push(repository.name.clone());
            }
        }
        chosen.truncate(IMAGES_FOR_PICKERS);
        let reads = join_all(chosen.iter().map(|name| {
            let wanted: Vec<&str> = named.references_in(name).collect();
            async move { self.images_of(name, &wanted).await }
        }))
        .await;
        chosen.into_iter().zip(reads).collect()
    }
}
