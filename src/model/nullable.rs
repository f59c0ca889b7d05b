//! Describe output prints `null` and `[]` for fields that were never set; the
//! register input omits them. Both must read back as "not set".

use serde::{Deserialize, Deserializer};

/// Reads `null` as the type's default (an empty list or map).
pub fn or_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}
