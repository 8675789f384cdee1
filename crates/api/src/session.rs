//! Signing in: who the caller is, their role and department.

use serde::{Deserialize, Serialize};

/// What a user may do: an officer decides their own cases; a supervisor also sees the
/// department's workload, moves cases and answers conflicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Officer,
    Supervisor,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Officer => "officer",
            Role::Supervisor => "supervisor",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "officer" => Some(Role::Officer),
            "supervisor" => Some(Role::Supervisor),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LocalizedName {
    pub az: String,
    pub en: String,
    pub ru: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Department {
    pub id: String,
    pub name: LocalizedName,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OfficerRef {
    pub id: String,
    pub full_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserProfile {
    pub id: String,
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub department: Department,
}

#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SessionRequest {
    /// At most 100 characters, not blank.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"\S")
    )]
    pub username: String,
    /// At most 1000 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 1000))]
    pub password: String,
}

// Debug output (logs, panics) leaves the password out.
impl std::fmt::Debug for SessionRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionRequest")
            .field("username", &self.username)
            .field("password", &"…")
            .finish()
    }
}

#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionResponse {
    /// Bearer token for the `Authorization` header.
    pub token: String,
    pub expires_at: String,
    pub user: UserProfile,
    /// The centre's database, made once with it: a desk binds its cache to it at the first
    /// sign-in and never shows one centre's data under another.
    pub instance_id: String,
}

// Debug output (logs, panics) leaves the token out.
impl std::fmt::Debug for SessionResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionResponse")
            .field("token", &"…")
            .field("expires_at", &self.expires_at)
            .field("user", &self.user)
            .field("instance_id", &self.instance_id)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_and_tokens_stay_out_of_debug_output() {
        let request = SessionRequest {
            username: "aysel".into(),
            password: "novruz-seki-71".into(),
        };
        let shown = format!("{request:?}");
        assert!(
            shown.contains("aysel") && !shown.contains("novruz-seki-71"),
            "{shown}"
        );
        let response = SessionResponse {
            token: "tok-3f9a".into(),
            expires_at: "2026-11-30T12:00:00Z".into(),
            user: UserProfile {
                id: "u1".into(),
                username: "aysel".into(),
                full_name: "Aysel Məmmədova".into(),
                role: Role::Officer,
                department: Department {
                    id: "baku".into(),
                    name: LocalizedName {
                        az: "Bakı".into(),
                        en: "Baku".into(),
                        ru: "Баку".into(),
                    },
                },
            },
            instance_id: "0123456789abcdef0123456789abcdef".into(),
        };
        let shown = format!("{response:?}");
        assert!(!shown.contains("tok-3f9a"), "{shown}");
    }
}
