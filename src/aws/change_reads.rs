//! What a change to something that exists is worked out from: read fresh
//! (never from the read cache), one thing at a time, bounded.

use super::{Aws, AwsError};
use crate::model::account::ClusterSummary;

/// ListImages pages read to count a repository's images (1,000 each).
const IMAGE_PAGES: usize = 3;

/// A count that stopped at its bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    pub counted: usize,
    /// There are more than `counted`.
    pub more: bool,
}

impl Aws {
    /// The active cluster named `name`, with its service and task counts.
    /// Its services are listed too (one page): the count DescribeClusters
    /// gives leaves out DRAINING ones, which still stop DeleteCluster.
    pub async fn cluster(&self, name: &str) -> Result<Option<ClusterSummary>, AwsError> {
        let found = self.describe_clusters(vec![name.to_string()]).await?;
        let Some(mut cluster) = found.into_iter().find(|c| c.status == "ACTIVE") else {
            return Ok(None);
        };
        let listed = self
            .ecs
            .list_services()
            .cluster(name)
            .max_results(100)
            .send()
            .await?;
        let listed = i32::try_from(listed.service_arns().len()).unwrap_or(i32::MAX);
        cluster.active_services = cluster.active_services.max(listed);
        Ok(Some(cluster))
    }

    /// How many images repository `name` holds; None when there is no such
    /// repository.
    pub async fn image_count(&self, name: &str) -> Result<Option<Count>, AwsError> {
        let mut counted = 0;
        let mut token = None;
        for _ in 0..IMAGE_PAGES {
            let result = self
                .ecr
                .list_images()
                .repository_name(name)
                .max_results(1000)
                .set_next_token(token)
                .send()
                .await;
            let output = match result {
                Ok(output) => output,
                Err(error) => {
                    let error = AwsError::from(error);
                    if error.code == "RepositoryNotFoundException" {
                        return Ok(None);
                    }
                    return Err(error);
                }
            };
            counted += output.image_ids().len();
            token = output.next_token().map(str::to_string);
            if token.is_none() {
                return Ok(Some(Count {
                    counted,
                    more: false,
                }));
            }
        }
        Ok(Some(Count {
            counted,
            more: true,
        }))
    }

    pub async fn log_group_exists(&self, name: &str) -> Result<bool, AwsError> {
        Ok(!self.log_groups_named(name).await?.is_empty())
    }
}
