//! An ECS cluster as the console's "Create cluster" makes it for AWS Fargate:
//! a name, the FARGATE and FARGATE_SPOT capacity providers, Container Insights
//! on or off, tags.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::api_call::ApiCall;
use super::hcl::{quote, resource_label};
use super::operation::Operation;
use super::resource::Resource;
use super::role::tags_block;
use super::task_definition::Tag;
use super::validate::{Issue, check_name, check_tags};

/// "AWS Fargate (serverless)": the console associates both Fargate providers.
pub const FARGATE_PROVIDERS: [&str; 2] = ["FARGATE", "FARGATE_SPOT"];

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Cluster {
    pub cluster_name: String,
    pub container_insights: bool,
    pub tags: Vec<Tag>,
}

impl Cluster {
    pub fn insights_setting(&self) -> &'static str {
        if self.container_insights {
            "enabled"
        } else {
            "disabled"
        }
    }

    /// The CreateCluster request body; also what `aws ecs create-cluster` takes.
    pub fn request(&self) -> Value {
        let mut body = json!({
            "clusterName": self.cluster_name,
            "settings": [{"name": "containerInsights", "value": self.insights_setting()}],
            "capacityProviders": FARGATE_PROVIDERS,
        });
        if !self.tags.is_empty() {
            body["tags"] = json!(self.tags);
        }
        body
    }
}

impl Resource for Cluster {
    fn name(&self) -> &str {
        &self.cluster_name
    }

    fn tags(&self) -> &[Tag] {
        &self.tags
    }

    fn tags_mut(&mut self) -> &mut Vec<Tag> {
        &mut self.tags
    }

    fn api_calls(&self) -> Vec<ApiCall> {
        vec![ApiCall::new(Operation::CreateCluster, self.request())]
    }

    fn terraform(&self) -> String {
        let label = resource_label(&self.cluster_name, "cluster");
        format!(
            "resource \"aws_ecs_cluster\" \"{label}\" {{\n  name = {}\n\n  setting {{\n    name  = \"containerInsights\"\n    value = \"{}\"\n  }}\n{}}}\n\nresource \"aws_ecs_cluster_capacity_providers\" \"{label}\" {{\n  cluster_name       = aws_ecs_cluster.{label}.name\n  capacity_providers = [\"FARGATE\", \"FARGATE_SPOT\"]\n}}\n",
            quote(&self.cluster_name),
            self.insights_setting(),
            tags_block(&self.tags),
        )
    }

    /// Cluster names: 1–255 letters, digits, `-` and `_`.
    fn validate(&self) -> Vec<Issue> {
        let mut issues = Vec::new();
        check_name(&mut issues, "clusterName", &self.cluster_name);
        check_tags(&mut issues, &self.tags, 50);
        issues
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_003_cluster_request() {
        let cluster = Cluster {
            cluster_name: "ContainerHandsOn".into(),
            container_insights: false,
            tags: vec![Tag {
                key: "Name".into(),
                value: "ContainerHandsOn".into(),
            }],
        };
        assert_eq!(
            cluster.request(),
            json!({
                "clusterName": "ContainerHandsOn",
                "settings": [{"name": "containerInsights", "value": "disabled"}],
                "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
                "tags": [{"key": "Name", "value": "ContainerHandsOn"}]
            })
        );
        assert_eq!(cluster.api_calls()[0].title(), "ecs:CreateCluster");
        assert!(cluster.validate().is_empty());
    }

    #[test]
    fn cluster_names_are_checked() {
        for bad in ["", "ecs handson", "クラスター", &"c".repeat(256)] {
            let cluster = Cluster {
                cluster_name: bad.into(),
                ..Cluster::default()
            };
            assert_eq!(cluster.validate().len(), 1, "{bad:?}");
            assert_eq!(cluster.validate()[0].path, "clusterName");
        }
        let ok = Cluster {
            cluster_name: "ecs-handson_cluster1".into(),
            ..Cluster::default()
        };
        assert!(ok.validate().is_empty());
    }

    #[test]
    fn terraform_declares_cluster_and_providers() {
        let cluster = Cluster {
            cluster_name: "ecs-handson-cluster".into(),
            container_insights: true,
            tags: Vec::new(),
        };
        let hcl = cluster.terraform();
        assert!(hcl.starts_with("resource \"aws_ecs_cluster\" \"ecs_handson_cluster\" {\n  name = \"ecs-handson-cluster\"\n"));
        assert!(hcl.contains("    value = \"enabled\"\n"));
        assert!(hcl.contains("capacity_providers = [\"FARGATE\", \"FARGATE_SPOT\"]"));
        assert_eq!(hcl.matches('{').count(), hcl.matches('}').count());
    }
}
