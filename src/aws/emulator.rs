//! Readying a local AWS emulator (moto) as a fresh AWS account looks: the
//! default VPC gets an internet gateway and a route to it (moto makes the
//! VPC without one, so every subnet reads as "private, no route out"), and
//! a repository may get a sample image, since a workshop's participants may
//! have no Docker to push one. Each step looks first and does only what is
//! missing, so running it twice changes nothing the second time.

use aws_sdk_ec2::types::Filter;
use serde_json::json;

use super::{Aws, AwsError};

/// The repository and tag of the sample image.
pub const SAMPLE_REPOSITORY: &str = "sample-app";
pub const SAMPLE_TAG: &str = "latest";

impl Aws {
    /// Readies the emulator; a line for each thing done or found done.
    pub async fn ready_emulator(&self, sample_image: bool) -> Result<Vec<String>, AwsError> {
        let mut said = self.internet_route().await?;
        if sample_image {
            said.push(self.sample_image().await?);
        }
        Ok(said)
    }

    /// An internet gateway attached to the default VPC, and the main route
    /// table's 0.0.0.0/0 route through it.
    async fn internet_route(&self) -> Result<Vec<String>, AwsError> {
        let filter = |name: &str, value: &str| Filter::builder().name(name).values(value).build();
        let vpcs = self
            .ec2
            .describe_vpcs()
            .filters(filter("isDefault", "true"))
            .send()
            .await?;
        let Some(vpc) = vpcs
            .vpcs()
            .first()
            .and_then(|v| v.vpc_id())
            .map(str::to_string)
        else {
            return Ok(vec!["There is no default VPC: nothing to ready.".into()]);
        };
        let mut said = Vec::new();
        let attached = self
            .ec2
            .describe_internet_gateways()
            .filters(filter("attachment.vpc-id", &vpc))
            .send()
            .await?;
        let gateway = match attached
            .internet_gateways()
            .first()
            .and_then(|g| g.internet_gateway_id())
        {
            Some(id) => {
                said.push(format!("{vpc} has internet gateway {id} already."));
                id.to_string()
            }
            None => {
                let made = self.ec2.create_internet_gateway().send().await?;
                let id = made
                    .internet_gateway()
                    .and_then(|g| g.internet_gateway_id())
                    .unwrap_or_default()
                    .to_string();
                self.ec2
                    .attach_internet_gateway()
                    .internet_gateway_id(&id)
                    .vpc_id(&vpc)
                    .send()
                    .await?;
                said.push(format!("Attached internet gateway {id} to {vpc}."));
                id
            }
        };
        let tables = self
            .ec2
            .describe_route_tables()
            .filters(filter("vpc-id", &vpc))
            .send()
            .await?;
        let main = tables
            .route_tables()
            .iter()
            .find(|t| t.associations().iter().any(|a| a.main() == Some(true)));
        let Some(main) = main else {
            said.push(format!("{vpc} has no main route table: no route added."));
            return Ok(said);
        };
        let table = main.route_table_id().unwrap_or_default().to_string();
        let routed = main
            .routes()
            .iter()
            .any(|r| r.destination_cidr_block() == Some("0.0.0.0/0"));
        if routed {
            said.push(format!("{table} routes 0.0.0.0/0 already."));
        } else {
            self.ec2
                .create_route()
                .route_table_id(&table)
                .destination_cidr_block("0.0.0.0/0")
                .gateway_id(&gateway)
                .send()
                .await?;
            said.push(format!("{table} now routes 0.0.0.0/0 through {gateway}."));
        }
        Ok(said)
    }

    /// Repository `sample-app` with an image tagged `latest` (a manifest
    /// only: an emulator does not run containers).
    async fn sample_image(&self) -> Result<String, AwsError> {
        if self.find_repository(SAMPLE_REPOSITORY).await?.is_none() {
            self.ecr
                .create_repository()
                .repository_name(SAMPLE_REPOSITORY)
                .send()
                .await?;
        }
        let manifest = json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {"mediaType": "application/vnd.docker.container.image.v1+json",
                       "size": 0, "digest": "sha256:0000000000000000000000000000000000000000000000000000000000000000"},
            "layers": []
        });
        let put = self
            .ecr
            .put_image()
            .repository_name(SAMPLE_REPOSITORY)
            .image_tag(SAMPLE_TAG)
            .image_manifest(manifest.to_string())
            .send()
            .await;
        match put {
            Ok(_) => Ok(format!("Pushed {SAMPLE_REPOSITORY}:{SAMPLE_TAG}.")),
            Err(error) => {
                let error = AwsError::from(error);
                if error.code == "ImageAlreadyExistsException" {
                    Ok(format!(
                        "{SAMPLE_REPOSITORY}:{SAMPLE_TAG} is there already."
                    ))
                } else {
                    Err(error)
                }
            }
        }
    }
}

/// Empties the emulator at `endpoint` (moto's `/moto-api/reset`): every
/// resource of every account goes.
pub async fn reset(endpoint: &str) -> Result<(), AwsError> {
    let url = format!("{}/moto-api/reset", endpoint.trim_end_matches('/'));
    let answer = reqwest::Client::new()
        .post(&url)
        .timeout(std::time::Duration::from_secs(30))
        .send()
        .await
        .map_err(|error| AwsError {
            code: super::NO_ANSWER.into(),
            message: format!("{url}: {error}"),
        })?;
    if answer.status().is_success() {
        Ok(())
    } else {
        Err(AwsError {
            code: "ResetRefused".into(),
            message: format!("{url} answered {}", answer.status()),
        })
    }
}
