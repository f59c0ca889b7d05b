//! Amazon ECR: private repositories and the images pushed to them.

use serde_json::{Value, json};

use super::raw_body::send_json;
use super::{Aws, AwsError};
use crate::model::account::{ImageSummary, RepositorySummary};

impl Aws {
    /// CreateRepository with the review's body; AWS's answer kept whole.
    pub(super) async fn create_repository(&self, input: &Value) -> Result<Value, AwsError> {
        // The builder needs its required member; the body replaces it.
        let operation = self.ecr.create_repository().repository_name("placeholder");
        send_json!(operation, input.to_string())
    }

    pub(super) async fn delete_repository(&self, input: &Value) -> Result<Value, AwsError> {
        let operation = self.ecr.delete_repository().repository_name("placeholder");
        send_json!(operation, input.to_string())
    }

    /// The repository named `name`, answered as CreateRepository would.
    pub(super) async fn find_repository(&self, name: &str) -> Result<Option<Value>, AwsError> {
        let result = self
            .ecr
            .describe_repositories()
            .repository_names(name)
            .send()
            .await;
        match result {
            Ok(output) => Ok(output.repositories().first().map(|r| {
                json!({"repository": {"repositoryArn": r.repository_arn(), "repositoryName": r.repository_name(), "repositoryUri": r.repository_uri()}})
            })),
            Err(error) => {
                let error = AwsError::from(error);
                if error.code == "RepositoryNotFoundException" {
                    Ok(None)
                } else {
                    Err(error)
                }
            }
        }
    }

    /// At most one image of `repository`: whether it has any.
    pub(super) async fn first_image(
        &self,
        repository: &str,
    ) -> Result<Vec<ImageSummary>, AwsError> {
        let output = self
            .ecr
            .describe_images()
            .repository_name(repository)
            .max_results(1)
            .send()
            .await?;
        Ok(output
            .image_details()
            .iter()
            .take(1)
            .map(image_summary)
            .collect())
    }
}

impl Aws {
    /// The URI of repository `name`, or None when there is no such repository.
    pub async fn repository_uri(&self, name: &str) -> Result<Option<String>, AwsError> {
        let result = self
            .ecr
            .describe_repositories()
            .repository_names(name)
            .send()
            .await;
        match result {
            Ok(output) => Ok(output
                .repositories()
                .first()
                .and_then(|r| r.repository_uri())
                .map(str::to_string)),
            Err(error) => {
                let error = AwsError::from(error);
                if error.code == "RepositoryNotFoundException" {
                    Ok(None)
                } else {
                    Err(error)
                }
            }
        }
    }
}

/// A listed repository, its images not read.
pub(super) fn repository_summary(repository: &aws_sdk_ecr::types::Repository) -> RepositorySummary {
    RepositorySummary {
        name: repository.repository_name().unwrap_or_default().to_string(),
        uri: repository.repository_uri().unwrap_or_default().to_string(),
        images: None,
    }
}

pub(super) fn image_summary(image: &aws_sdk_ecr::types::ImageDetail) -> ImageSummary {
    ImageSummary {
        tags: image.image_tags().to_vec(),
        digest: image.image_digest().unwrap_or_default().to_string(),
        pushed_at: super::service_detail::readable(image.image_pushed_at()),
        size_bytes: image.image_size_in_bytes().unwrap_or_default(),
    }
}
