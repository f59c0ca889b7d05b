//! Route 53: the hosted zones a domain can go in, what a name has now, and
//! the one change the app sends (records created, or deleted by a
//! clean-up). Reads are one call each: the form lists the first 100 zones
//! (Route 53's largest page), and a name's records are read from where
//! they sort.

use aws_sdk_route53::types::{
    AliasTarget, Change, ChangeAction, ChangeBatch, ResourceRecord, ResourceRecordSet, RrType,
};
use serde::Deserialize;
use serde_json::{Value, json};

use super::operations::{read, unreadable};
use super::read_cache::Read;
use super::{Aws, AwsError};
use crate::model::domain::{ExistingRecord, HostedZone, zone_id};
use crate::model::operation::Operation;

/// Zones listed: ListHostedZones' largest page.
const ZONES_READ: i32 = 100;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct ChangeRecords {
    hosted_zone_id: String,
    change_batch: Batch,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct Batch {
    #[serde(default)]
    comment: Option<String>,
    changes: Vec<RecordChange>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct RecordChange {
    action: String,
    resource_record_set: RecordSet,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct RecordSet {
    name: String,
    #[serde(rename = "Type")]
    kind: String,
    #[serde(default, rename = "TTL")]
    ttl: Option<i64>,
    #[serde(default)]
    resource_records: Vec<RecordValue>,
    #[serde(default)]
    alias_target: Option<Alias>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct RecordValue {
    value: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct Alias {
    hosted_zone_id: String,
    #[serde(rename = "DNSName")]
    dns_name: String,
    evaluate_target_health: bool,
}

impl RecordSet {
    fn sdk(self) -> Result<ResourceRecordSet, String> {
        let values = self
            .resource_records
            .into_iter()
            .map(|r| ResourceRecord::builder().value(r.value).build())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.to_string())?;
        let alias = self
            .alias_target
            .map(|a| {
                AliasTarget::builder()
                    .hosted_zone_id(a.hosted_zone_id)
                    .dns_name(a.dns_name)
                    .evaluate_target_health(a.evaluate_target_health)
                    .build()
            })
            .transpose()
            .map_err(|e| e.to_string())?;
        ResourceRecordSet::builder()
            .name(self.name)
            .r#type(RrType::from(self.kind.as_str()))
            .set_ttl(self.ttl)
            .set_resource_records((!values.is_empty()).then_some(values))
            .set_alias_target(alias)
            .build()
            .map_err(|e| e.to_string())
    }
}

/// Route 53 writes names with a final dot and compares them without case.
fn same_name(a: &str, b: &str) -> bool {
    a.trim_end_matches('.')
        .eq_ignore_ascii_case(b.trim_end_matches('.'))
}

impl Aws {
    /// `{"ChangeInfo": {"Id", "Status"}}`.
    pub(super) async fn change_records(&self, input: &Value) -> Result<Value, AwsError> {
        let operation = Operation::ChangeResourceRecordSets;
        let input: ChangeRecords = read(operation, input)?;
        let changes = input
            .change_batch
            .changes
            .into_iter()
            .map(|c| {
                Change::builder()
                    .action(ChangeAction::from(c.action.as_str()))
                    .resource_record_set(c.resource_record_set.sdk()?)
                    .build()
                    .map_err(|e| e.to_string())
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| unreadable(operation, e))?;
        let batch = ChangeBatch::builder()
            .set_comment(input.change_batch.comment)
            .set_changes(Some(changes))
            .build()
            .map_err(|e| unreadable(operation, e))?;
        let output = self
            .route53
            .change_resource_record_sets()
            .hosted_zone_id(zone_id(&input.hosted_zone_id))
            .change_batch(batch)
            .send()
            .await?;
        let info = output.change_info();
        Ok(json!({"ChangeInfo": {
            "Id": info.map(|i| i.id()),
            "Status": info.map(|i| i.status().as_str()),
        }}))
    }

    /// What a created change made, when every record it creates is there
    /// with its value: an answer with a change id (so a clean-up deletes
    /// them), or None. Each name is read once (A and AAAA share theirs).
    pub(super) async fn find_records(&self, input: &Value) -> Result<Option<Value>, AwsError> {
        let input: ChangeRecords = read(Operation::ChangeResourceRecordSets, input)?;
        let mut read_names: Vec<(String, Vec<(ExistingRecord, String)>)> = Vec::new();
        for change in &input.change_batch.changes {
            let set = &change.resource_record_set;
            if !read_names
                .iter()
                .any(|(name, _)| same_name(name, &set.name))
            {
                let found = self.records_at(&input.hosted_zone_id, &set.name).await?;
                read_names.push((set.name.clone(), found));
            }
            let found = read_names
                .iter()
                .find(|(name, _)| same_name(name, &set.name))
                .map_or(&[][..], |(_, found)| found.as_slice());
            let wanted = set
                .alias_target
                .as_ref()
                .map(|a| a.dns_name.as_str())
                .or_else(|| set.resource_records.first().map(|r| r.value.as_str()))
                .unwrap_or_default();
            if !found
                .iter()
                .any(|(r, value)| r.kind == set.kind && same_name(value, wanted))
            {
                return Ok(None);
            }
        }
        Ok(Some(
            json!({"ChangeInfo": {"Id": "found", "Status": "INSYNC"}}),
        ))
    }

    /// The A, AAAA and CNAME records `name` has in `zone`, each with its
    /// alias target or first value: one ListResourceRecordSets from where
    /// the name sorts.
    async fn records_at(
        &self,
        zone: &str,
        name: &str,
    ) -> Result<Vec<(ExistingRecord, String)>, AwsError> {
        let output = self
            .route53
            .list_resource_record_sets()
            .hosted_zone_id(zone_id(zone))
            .start_record_name(name)
            .max_items(10)
            .send()
            .await?;
        Ok(output
            .resource_record_sets()
            .iter()
            .filter(|set| same_name(set.name(), name))
            .filter(|set| matches!(set.r#type(), RrType::A | RrType::Aaaa | RrType::Cname))
            .map(|set| {
                let alias = set
                    .alias_target()
                    .map(|a| a.dns_name().to_string())
                    .unwrap_or_default();
                let value = if alias.is_empty() {
                    set.resource_records()
                        .first()
                        .map(|r| r.value().to_string())
                        .unwrap_or_default()
                } else {
                    alias.clone()
                };
                (
                    ExistingRecord {
                        kind: set.r#type().as_str().to_string(),
                        alias_target: alias,
                    },
                    value,
                )
            })
            .collect())
    }

    /// The records a name has now, for preflight.
    pub async fn existing_records(
        &self,
        zone: &str,
        name: &str,
    ) -> Result<Vec<ExistingRecord>, AwsError> {
        Ok(self
            .records_at(zone, name)
            .await?
            .into_iter()
            .map(|(record, _)| record)
            .collect())
    }

    /// The account's hosted zones, by name (one call, kept like other reads).
    pub async fn hosted_zones(&self) -> Result<Read<Vec<HostedZone>>, AwsError> {
        self.cache
            .read("hosted_zones".into(), || async {
                let output = self
                    .route53
                    .list_hosted_zones()
                    .max_items(ZONES_READ)
                    .send()
                    .await?;
                let mut zones: Vec<HostedZone> = output
                    .hosted_zones()
                    .iter()
                    .map(|z| HostedZone {
                        id: zone_id(z.id()).to_string(),
                        name: z.name().to_string(),
                        private: z.config().is_some_and(|c| c.private_zone()),
                    })
                    .collect();
                zones.sort_by(|a, b| a.name.cmp(&b.name));
                Ok(zones)
            })
            .await
    }
}
