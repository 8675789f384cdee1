//! Password hashes (Argon2id, PHC strings), shared by the centre's accounts and the desk's
//! offline unlock verifier.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// Argon2 could not hash a password (it refuses inputs beyond its limits).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot hash the password: {0}")]
pub struct PasswordError(String);

/// A salted Argon2id hash of `password`.
pub fn hash(password: &str) -> Result<String, PasswordError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| PasswordError(e.to_string()))
}

/// Whether `password` matches `hash`; a malformed hash matches nothing.
pub fn verify(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_themselves() {
        let h = hash("Bakı-2026!").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify("Bakı-2026!", &h));
        assert!(!verify("bakı-2026!", &h));
        assert!(!verify("x", "not a hash"));
        assert_ne!(hash("Bakı-2026!").unwrap(), h, "salted");
    }
}
