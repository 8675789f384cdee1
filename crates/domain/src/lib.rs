//! The domain both the desk and the central service share: the e-service catalogue, the
//! working-day calendar, identifiers, Azerbaijani text rules, password hashes, a passport's
//! machine-readable zone and the shapes of states' passport numbers, and decisions with the e-mail each one sends the applicant.
//!
//! The catalogue and the calendar are data (`data/*.toml` in the repository), loaded and
//! validated at start; the repository's copies are built in as defaults.

pub mod calendar;
pub mod catalogue;
pub mod config_file;
pub mod decision;
pub mod fold;
pub mod ids;
pub mod lang;
pub mod mrz;
pub mod mrz_read;
pub mod passport_numbers;
pub mod password;
pub mod translit;

pub use calendar::{Calendar, CalendarError};
pub use catalogue::{Catalogue, CatalogueError};
pub use lang::{Lang, Localized};
