//! The desk's executable: everything is in the library (`migdesk_app::run`).

// Hide the console window that Windows would otherwise open beside the desk.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    migdesk_app::startup::settle();
    migdesk_app::run();
}
