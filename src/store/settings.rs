//! Values every instance sharing the store must agree on, made by whichever
//! instance asks first: the CSRF key that signs every form's token.

use super::db::args;
use super::{Store, StoreError};

impl Store {
    /// The secret kept as `name`; `fresh` becomes it when none is kept yet
    /// (of instances asking at once, the first one's is kept for all).
    pub async fn shared_secret(&self, name: &str, fresh: &[u8]) -> Result<Vec<u8>, StoreError> {
        let (name, fresh) = (name.to_string(), hex(fresh));
        let kept: String = self
            .with(move |db| {
                db.execute(
                    "INSERT INTO settings (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING",
                    args![&name, fresh],
                )?;
                db.query_one("SELECT value FROM settings WHERE name = ?1", args![&name])?
                    .get(0)
            })
            .await?;
        unhex(&kept).ok_or(StoreError::Type {
            column: 0,
            found: "a setting that is not hex".into(),
        })
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_kept_as_hex() {
        assert_eq!(hex(&[0, 10, 255]), "000aff");
        assert_eq!(unhex("000aff"), Some(vec![0, 10, 255]));
        assert_eq!(unhex("0"), None);
        assert_eq!(unhex("zz"), None);
    }
}
