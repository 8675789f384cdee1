// Hide the console window that Windows would otherwise open beside the desk.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    migdesk_app::run();
}
