//! Amazon ECR: private repositories and the images pushed to them.

use serde_json::json;

use super::create::{CreateError, Created, StepLog, Undo, is_already_exists, logged};
use super::raw_body::{CaptureBody, replace_body};
use super::{Aws, AwsError};
use crate::model::account::{ImageSummary, RepositorySummary};
use crate::model::repository::Repository;

impl Aws {
    /// CreateRepository with the review page's body, written to `log`.
    /// Finishing a cut-off run, an existing repository is this run's own.
    pub async fn create_repository(
        &self,
        repository: &Repository,
        log: &impl StepLog,
    ) -> Result<Created, CreateError> {
        let name = &repository.repository_name;
        let capture = CaptureBody::default();
        let send = async {
            self.ecr
                .create_repository()
                // The builder needs its required member; the body replaces it.
                .repository_name("placeholder")
                .customize()
                .mutate_request(replace_body(repository.request().to_string()))
                .interceptor(capture.clone())
                .send()
                .await
                .map_err(AwsError::from)
        };
        let call = format!("ecr:CreateRepository repositoryName={name}");
        match logged(log, call, send).await {
            Ok(output) => Ok(Created {
                arn: output
                    .repository()
                    .and_then(|r| r.repository_arn())
                    .unwrap_or_default()
                    .to_string(),
                response: capture.take_json(),
            }),
            Err(error) if log.resuming() && is_already_exists(&error) => {
                let output = self
                    .ecr
                    .describe_repositories()
                    .repository_names(name)
                    .send()
                    .await
                    .map_err(|e| CreateError::refused(AwsError::from(e)))?;
                let arn = output
                    .repositories()
                    .first()
                    .and_then(|r| r.repository_arn())
                    .unwrap_or_default()
                    .to_string();
                Ok(Created {
                    response: json!({"repository": {"repositoryArn": arn, "repositoryName": name}}),
                    arn,
                })
            }
            Err(error) => Err(CreateError::from(error)),
        }
    }

    /// Deletes an empty repository (a missing one is already what was wanted).
    pub async fn remove_repository(
        &self,
        repository: &Repository,
        log: &impl StepLog,
    ) -> Vec<Undo> {
        let name = &repository.repository_name;
        let call = format!("ecr:DeleteRepository repositoryName={name}");
        let send = async {
            self.ecr
                .delete_repository()
                .repository_name(name)
                .send()
                .await
                .map(drop)
                .map_err(AwsError::from)
        };
        let outcome = match logged(log, call.clone(), send).await {
            Err(error) if error.code == "RepositoryNotFoundException" => Ok(()),
            other => other,
        };
        vec![Undo { call, outcome }]
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
