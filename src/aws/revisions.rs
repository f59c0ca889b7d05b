//! Task definition history: families a page at a time, a family's
//! revisions a page at a time (newest first), a revision's description as
//! AWS wrote it, deregister and delete, and which services run a family.
//!
//! AWS lists at most 100 a call with a token for the rest; an emulator may
//! list everything, unsorted. Both are read the same way: sorted newest
//! first, cut to the page, and the rest reached by an offset.

use futures_util::future::join_all;
use serde_json::Value;

use super::paging::{PageToken, page_of};
use super::raw_body::CaptureBody;
use super::{Aws, AwsError, Read};

/// The revision number of `…/family:7`.
pub fn revision_number(arn: &str) -> i64 {
    arn.rsplit(':')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// `family:7` of an ARN.
pub fn family_revision(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// A page's place in a cache key.
fn token_key(token: &Option<PageToken>) -> String {
    token.as_ref().map(PageToken::encode).unwrap_or_default()
}

impl Aws {
    /// Families (with revisions of any status) whose name starts with
    /// `prefix`, `size` a page, by name.
    /// Kept in the read cache, as every page's reads are.
    pub async fn families_page(
        &self,
        prefix: &str,
        token: Option<PageToken>,
        size: usize,
    ) -> Result<Read<(Vec<String>, Option<PageToken>)>, AwsError> {
        let key = format!("families:{prefix}:{}:{size}", token_key(&token));
        self.cache
            .read(key, || self.list_families(prefix, token, size))
            .await
    }

    async fn list_families(
        &self,
        prefix: &str,
        token: Option<PageToken>,
        size: usize,
    ) -> Result<(Vec<String>, Option<PageToken>), AwsError> {
        let (aws_token, offset) = PageToken::split(token);
        let output = self
            .ecs
            .list_task_definition_families()
            .set_family_prefix(Some(prefix.to_string()).filter(|p| !p.is_empty()))
            .status(aws_sdk_ecs::types::TaskDefinitionFamilyStatus::All)
            .max_results(size as i32)
            .set_next_token(aws_token)
            .send()
            .await?;
        let mut families = output.families().to_vec();
        families.sort();
        Ok(page_of(
            families,
            output.next_token().map(str::to_string),
            offset,
            size,
        ))
    }

    /// A page of `family`'s revisions of `status` (ACTIVE or INACTIVE),
    /// newest first, as ARNs; kept in the read cache.
    pub async fn revisions_page(
        &self,
        family: &str,
        status: &str,
        token: Option<PageToken>,
        size: usize,
    ) -> Result<(Vec<String>, Option<PageToken>), AwsError> {
        let key = format!("revisions:{family}:{status}:{}:{size}", token_key(&token));
        let read = self
            .cache
            .read(key, || self.list_revisions(family, status, token, size))
            .await?;
        Ok(read.value.as_ref().clone())
    }

    async fn list_revisions(
        &self,
        family: &str,
        status: &str,
        token: Option<PageToken>,
        size: usize,
    ) -> Result<(Vec<String>, Option<PageToken>), AwsError> {
        let (aws_token, offset) = PageToken::split(token);
        let output = self
            .ecs
            .list_task_definitions()
            .family_prefix(family)
            .status(aws_sdk_ecs::types::TaskDefinitionStatus::from(status))
            .sort(aws_sdk_ecs::types::SortOrder::Desc)
            .max_results(size as i32)
            .set_next_token(aws_token)
            .send()
            .await?;
        let mut arns: Vec<String> = output
            .task_definition_arns()
            .iter()
            // A prefix matches `web-api` for `web`: keep the family itself.
            .filter(|arn| {
                family_revision(arn)
                    .rsplit_once(':')
                    .is_some_and(|(f, _)| f == family)
            })
            .cloned()
            .collect();
        arns.sort_by_key(|arn| std::cmp::Reverse(revision_number(arn)));
        Ok(page_of(
            arns,
            output.next_token().map(str::to_string),
            offset,
            size,
        ))
    }

    /// A revision (`family:7` or its ARN) as DescribeTaskDefinition wrote
    /// it (`{"taskDefinition": …}`); None when there is none.
    pub async fn describe_revision(&self, reference: &str) -> Result<Option<Value>, AwsError> {
        let capture = CaptureBody::default();
        match self
            .ecs
            .describe_task_definition()
            .task_definition(reference)
            .customize()
            .interceptor(capture.clone())
            .send()
            .await
        {
            Ok(_) => Ok(Some(capture.take_json())),
            Err(error) => {
                let error = AwsError::from(error);
                if error.code == "ClientException" {
                    Ok(None)
                } else {
                    Err(error)
                }
            }
        }
    }

    /// The family's latest active revision as AWS wrote it, kept in the
    /// read cache (a registration empties it).
    pub async fn latest_revision(&self, family: &str) -> Result<Option<Value>, AwsError> {
        let key = format!("latest-revision:{family}");
        let read = self
            .cache
            .read(key, || self.describe_revision(family))
            .await?;
        Ok(read.value.as_ref().clone())
    }

    /// Each of `references` described, at once.
    pub async fn describe_revisions(
        &self,
        references: &[String],
    ) -> Vec<Result<Option<Value>, AwsError>> {
        join_all(references.iter().map(|r| self.describe_revision(r))).await
    }

    /// ACTIVE → INACTIVE.
    pub async fn deregister_revision(&self, reference: &str) -> Result<(), AwsError> {
        self.ecs
            .deregister_task_definition()
            .task_definition(reference)
            .send()
            .await?;
        Ok(())
    }

    /// INACTIVE → DELETE_IN_PROGRESS (then gone).
    pub async fn delete_revision(&self, reference: &str) -> Result<(), AwsError> {
        let output = self
            .ecs
            .delete_task_definitions()
            .task_definitions(reference)
            .send()
            .await?;
        match output.failures().first() {
            Some(failure) => Err(AwsError {
                code: failure.reason().unwrap_or("Failure").to_string(),
                message: failure.detail().unwrap_or_default().to_string(),
            }),
            None => Ok(()),
        }
    }

    /// The services (cluster, service, `family:7` they run) of the first
    /// 100 clusters, their first 100 services each, that run a revision of
    /// `family`: one ListClusters, one ListServices per cluster and one
    /// DescribeServices per ten services, at once.
    pub async fn services_running(
        &self,
        family: &str,
    ) -> Result<Vec<(String, String, String)>, AwsError> {
        let clusters = self.ecs.list_clusters().max_results(100).send().await?;
        let clusters: Vec<String> = clusters.cluster_arns().iter().take(100).cloned().collect();
        let listed = join_all(clusters.iter().map(|cluster| {
            self.ecs
                .list_services()
                .cluster(cluster)
                .max_results(100)
                .send()
        }))
        .await;
        let mut describes = Vec::new();
        for (cluster, services) in clusters.iter().zip(listed) {
            let arns: Vec<String> = services?.service_arns().iter().take(100).cloned().collect();
            for chunk in arns.chunks(10) {
                describes.push(
                    self.ecs
                        .describe_services()
                        .cluster(cluster)
                        .set_services(Some(chunk.to_vec()))
                        .send(),
                );
            }
        }
        let mut running = Vec::new();
        for page in join_all(describes).await {
            for service in page?.services() {
                let revision = family_revision(service.task_definition().unwrap_or_default());
                if service.status() == Some("ACTIVE")
                    && revision.rsplit_once(':').is_some_and(|(f, _)| f == family)
                {
                    let cluster = service.cluster_arn().unwrap_or_default();
                    running.push((
                        cluster.rsplit('/').next().unwrap_or(cluster).to_string(),
                        service.service_name().unwrap_or_default().to_string(),
                        revision.to_string(),
                    ));
                }
            }
        }
        running.sort();
        Ok(running)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_aws_own_or_cut_from_a_whole_list() {
        let (page, next) = page_of(vec![1, 2, 3], Some("x".into()), 0, 3);
        assert_eq!(
            (page, next),
            (vec![1, 2, 3], Some(PageToken::Aws("x".into())))
        );
        let whole: Vec<i32> = (0..25).collect();
        let (page, next) = page_of(whole.clone(), None, 0, 10);
        assert_eq!(page, (0..10).collect::<Vec<_>>());
        assert_eq!(next, Some(PageToken::Offset(10)));
        let (page, next) = page_of(whole, None, 20, 10);
        assert_eq!(page, (20..25).collect::<Vec<_>>());
        assert_eq!(next, None);
        for token in [PageToken::Aws("abc==".into()), PageToken::Offset(30)] {
            assert_eq!(PageToken::decode(&token.encode()), Some(token));
        }
        assert_eq!(PageToken::decode("x1"), None);
        assert_eq!(PageToken::decode(""), None);
        assert_eq!(
            revision_number("arn:aws:ecs:r:1:task-definition/web:12"),
            12
        );
        assert_eq!(
            family_revision("arn:aws:ecs:r:1:task-definition/web:12"),
            "web:12"
        );
    }
}
